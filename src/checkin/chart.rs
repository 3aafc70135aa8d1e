//! The check-in chart as a PNG: one line per member over the weeks, a dot for each
//! week they answered. Drawn in memory with plotters; its text uses the font bundled
//! in `assets/fonts/`, so no system font is needed.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{CheckinWeeks, WEEKS};

/// Size of the picture in pixels.
pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 400;

/// A colour as red, green, blue.
pub type Rgb = (u8, u8, u8);

/// (dot, line) colours per member, in order. Dots are drawn in exactly the first
/// colour, on top of everything else, so a picture can be checked dot by dot.
pub const COLOURS: [(Rgb, Rgb); 4] = [
    ((214, 39, 100), (240, 160, 190)),
    ((31, 119, 180), (160, 200, 235)),
    ((44, 160, 44), (170, 220, 170)),
    ((148, 103, 189), (205, 185, 225)),
];

/// Radius of a dot, and how far apart members' dots for the same week sit.
const DOT: i32 = 5;
const DODGE: i32 = 8;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn font_ready() -> anyhow::Result<()> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    anyhow::ensure!(ok, "the bundled chart font could not be read");
    Ok(())
}

fn rgb((r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

fn drawing<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("while drawing the check-in chart: {e}")
}

/// Draws the chart and returns it as PNG bytes.
pub fn render_png(w: &CheckinWeeks) -> anyhow::Result<Vec<u8>> {
    font_ready()?;
    let mut pixels = vec![255u8; usize::try_from(WIDTH * HEIGHT * 3).unwrap_or(0)];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let last = f64::from(u32::try_from(WEEKS).unwrap_or(12)) - 0.5;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Check-ins, last {WEEKS} weeks (1 low, 5 high)"),
                ("sans-serif", 22),
            )
            .margin(16)
            .x_label_area_size(30)
            .y_label_area_size(30)
            .build_cartesian_2d(-0.5f64..last, 0.5f64..5.5f64)
            .map_err(drawing)?;
        let labels = w.weeks.clone();
        chart
            .configure_mesh()
            .x_labels(WEEKS)
            .y_labels(5)
            .disable_x_mesh()
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                labels
                    .get(i as usize)
                    .map_or_else(String::new, |d| d.format("%d %b").to_string())
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(drawing)?;
        let n = i32::try_from(w.series.len()).unwrap_or(1);
        for (i, s) in w.series.iter().enumerate() {
            let (dot, line) = COLOURS[i % COLOURS.len()];
            let (dot, line) = (rgb(dot), rgb(line));
            let points: Vec<(f64, f64)> = s
                .scores
                .iter()
                .enumerate()
                .filter_map(|(x, y)| y.map(|y| (x as f64, y)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), line.stroke_width(2)))
                .map_err(drawing)?
                .label(s.member.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 16, y + 4)], line.filled()));
            let dx = (2 * i32::try_from(i).unwrap_or(0) - (n - 1)) * DODGE;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| EmptyElement::at(*p) + Circle::new((dx, 0), DOT, dot.filled())),
                )
                .map_err(drawing)?;
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 14))
            .background_style(WHITE)
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(drawing)?;
        root.present().map_err(drawing)?;
    }
    encode(&pixels)
}

fn encode(pixels: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}
