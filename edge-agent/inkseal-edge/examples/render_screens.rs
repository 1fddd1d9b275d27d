//! Renders the prompt screen of each pad model to PNG, to look at the layout and the Czech
//! labels as the pad shows them: `cargo run -p inkseal-edge --example render_screens -- OUT_DIR`.

use inkseal_edge::screen::{Layout, Prompt, render};
use stu_protocol::Model;

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for model in Model::ALL {
        let caps = model.capabilities();
        let layout = Layout::for_caps(caps);
        for (suffix, prompt) in [
            (
                "prompt",
                Prompt::for_field("Podpis klienta", "Jana Nováková", 0, 2),
            ),
            (
                "refused",
                Prompt::for_field("Podpis poradce", "Petr Svoboda", 1, 2).refused(),
            ),
        ] {
            let rgb = render(&layout, caps, &prompt);
            let (w, h) = (u32::from(layout.width), u32::from(layout.height));
            let mut pixmap = tiny_skia::Pixmap::new(w, h).expect("screen size");
            for (i, px) in rgb.chunks_exact(3).enumerate() {
                pixmap.pixels_mut()[i] =
                    tiny_skia::PremultipliedColorU8::from_rgba(px[0], px[1], px[2], 255)
                        .expect("opaque");
            }
            let path = format!("{out}/{}-{suffix}.png", caps.name);
            std::fs::write(&path, pixmap.encode_png().expect("png")).expect("write");
            println!("{path}");
        }
    }
}
