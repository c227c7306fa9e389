//! Photos for print: phone JPEGs are 12 megapixels; a 55 mm picture on an A4 page needs about a tenth of
//! that. Scaled decoding (1/2, 1/4, 1/8 in the inverse DCT) keeps both time and memory small.

/// Longest side wanted, in pixels.
const TARGET: u16 = 1000;

/// The photo re-encoded at print size, or `None` when it is not a JPEG (or cannot be read).
pub fn for_print(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.read_info().ok()?;
    let info = d.info()?;
    if info.width.max(info.height) <= TARGET * 2 {
        return Some(bytes.to_vec());
    }
    let (w, h) = if info.width >= info.height {
        (TARGET, (u32::from(TARGET) * u32::from(info.height) / u32::from(info.width)) as u16)
    } else {
        ((u32::from(TARGET) * u32::from(info.width) / u32::from(info.height)) as u16, TARGET)
    };
    let (w, h) = d.scale(w, h).ok()?;
    let pixels = d.decode().ok()?;
    let color = match d.info()?.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => image::ExtendedColorType::Rgb8,
        jpeg_decoder::PixelFormat::L8 => image::ExtendedColorType::L8,
        _ => return None,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .encode(&pixels, u32::from(w), u32::from(h), color)
        .ok()?;
    Some(out.into_inner())
}
