//! Figures as data, and their rendering to SVG and PNG with plotters.
//!
//! A [`Figure`] says what to draw (title, axes with units, named series); [`render_svg`] and
//! [`render_png`] draw it the same way on either backend. Text in PNGs is drawn with DejaVu Sans,
//! embedded in this crate, so rendering needs no system fonts or fontconfig.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::Path;
use std::sync::Once;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// Default size of a chart in pixels.
pub const SIZE: (u32, u32) = (960, 540);

/// Colours that stay distinct for up to ten series (Tableau 10).
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// A chart the drawing backend could not draw, named by its id.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot draw chart {chart:?}: {error}")]
    Svg {
        chart: String,
        error: DrawingAreaErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>,
    },
    #[error("cannot draw chart {chart:?}: {error}")]
    Png {
        chart: String,
        error: DrawingAreaErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>,
    },
}

/// One line or set of points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed (a second definition of the same quantity).
    pub dashed: bool,
    /// Index into the palette, so that one strategy keeps its colour across charts.
    pub colour: usize,
}

/// A point with 95% confidence whiskers on both axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Whiskered {
    pub name: String,
    pub x: (f64, f64, f64),
    pub y: (f64, f64, f64),
    pub colour: usize,
}

/// A labelled straight line across the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    pub at: f64,
    pub label: String,
}

/// A line with its 95% interval drawn as a shaded band.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: String,
    /// (x, mean, low, high); a point without an interval has low = high = mean.
    pub points: Vec<(f64, f64, f64, f64)>,
    pub colour: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Plot {
    /// Lines (`markers: false`) or points joined by lines with markers.
    Lines {
        series: Vec<Series>,
        markers: bool,
        /// Points drawn large on top (chosen settings).
        highlight: Vec<Series>,
        horizontal: Option<Guide>,
        /// Vertical lines: a threshold, or where a measurement window opens and closes.
        vertical: Vec<Guide>,
    },
    /// One bar per category, stacked segments; `segments[i].1[c]` is segment i of category c.
    StackedBars {
        categories: Vec<String>,
        segments: Vec<(String, Vec<f64>)>,
    },
    /// One point per entry, with whiskers.
    Whiskers { points: Vec<Whiskered> },
    /// Lines with markers over shaded 95% intervals.
    Bands {
        series: Vec<Band>,
        horizontal: Option<Guide>,
    },
    /// A grid of cells coloured by value, with the value written in each cell (on grids up to
    /// 400 cells) and a colour scale beside it. The axes are categorical: `cells[y][x]` belongs
    /// to column `x_labels[x]` and row `y_labels[y]`, evenly spaced whatever the labels say
    /// (numbers, names); `None` is a cell without a value.
    HeatMap {
        x_labels: Vec<String>,
        y_labels: Vec<String>,
        cells: Vec<Vec<Option<f64>>>,
        decimals: usize,
        /// Cells above `at` are outlined.
        threshold: Option<Guide>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// File stem: `abandon-rate` → `abandon-rate.svg`, `abandon-rate.png`.
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub plot: Plot,
}

impl Figure {
    /// Names of the series in the legend.
    pub fn legend(&self) -> Vec<String> {
        match &self.plot {
            Plot::Lines { series, .. } => series.iter().map(|s| s.name.clone()).collect(),
            Plot::StackedBars { segments, .. } => segments.iter().map(|s| s.0.clone()).collect(),
            Plot::Whiskers { points } => points.iter().map(|p| p.name.clone()).collect(),
            Plot::Bands { series, .. } => series.iter().map(|s| s.name.clone()).collect(),
            Plot::HeatMap { threshold, .. } => threshold.iter().map(|g| g.label.clone()).collect(),
        }
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Cannot fail for the embedded, known-good font.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The figure as an SVG document.
pub fn render_svg(figure: &Figure, size: (u32, u32)) -> Result<String, ChartError> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root, figure).map_err(|error| ChartError::Svg {
            chart: figure.id.clone(),
            error,
        })?;
    }
    Ok(out)
}

/// The figure as a PNG file.
pub fn render_png(figure: &Figure, size: (u32, u32), path: &Path) -> Result<(), ChartError> {
    register_font();
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw(&root, figure).map_err(|error| ChartError::Png {
        chart: figure.id.clone(),
        error,
    })
}

/// The largest magnitude an axis reaches; a value beyond it is drawn at the axis's end. Far beyond
/// anything a results file holds (the readers refuse numbers beyond 10¹⁵), and far enough below
/// `f64::MAX` that the tick search never overflows.
const AXIS_LIMIT: f64 = 1e300;

/// The narrowest span an axis gets, relative to the magnitude of its ends. The tick search works
/// on multiples of a step: on a span of a few units in the last place (1e10 to 1e10 + 2e-6) it
/// loses every digit and never ends. Spans this narrow only come from values equal but for
/// rounding; they are widened to this.
const MIN_RELATIVE_SPAN: f64 = 1e-15;

/// The most decimals a heat map writes in a cell.
const MAX_DECIMALS: usize = 12;

/// `lo..hi` (lo ≤ hi, both within ±[`AXIS_LIMIT`]) widened where it is narrower than
/// [`MIN_RELATIVE_SPAN`] of its magnitude: every range handed to plotters goes through here.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let least = lo.abs().max(hi.abs()) * MIN_RELATIVE_SPAN;
    if hi - lo >= least {
        (lo, hi)
    } else {
        (lo - least, hi + least)
    }
}

/// An axis's range over `values` (those that are numbers, each within ±[`AXIS_LIMIT`]), from 0 if
/// `from_zero`, padded by 5%; `0..1` for no value.
fn range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-AXIS_LIMIT, AXIS_LIMIT))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    let (lo, hi) = widen(lo, hi);
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
}

/// A plot's two ranges, and points brought inside them. Every point of a chart lies in its ranges
/// (they are made from the points), except a value beyond ±[`AXIS_LIMIT`]: it is drawn at the
/// range's end, and a value that is not a number is left out. A backend thus never walks pixels
/// far outside the picture (its line and fill loops run over every pixel between two ends).
#[derive(Clone, Copy, Debug)]
struct Fit {
    x: (f64, f64),
    y: (f64, f64),
}

impl Fit {
    fn x(&self, v: f64) -> Option<f64> {
        (!v.is_nan()).then(|| v.clamp(self.x.0, self.x.1))
    }

    fn y(&self, v: f64) -> Option<f64> {
        (!v.is_nan()).then(|| v.clamp(self.y.0, self.y.1))
    }

    fn point(&self, (x, y): (f64, f64)) -> Option<(f64, f64)> {
        Some((self.x(x)?, self.y(y)?))
    }

    fn points(&self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        points.iter().filter_map(|&p| self.point(p)).collect()
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Figure,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    match &f.plot {
        Plot::Lines {
            series,
            markers,
            highlight,
            horizontal,
            vertical,
        } => {
            let all = || series.iter().chain(highlight).flat_map(|s| s.points.iter());
            let (x0, x1) = range(
                all().map(|p| p.0).chain(vertical.iter().map(|g| g.at)),
                false,
            );
            let (y0, y1) = range(
                all().map(|p| p.1).chain(horizontal.iter().map(|g| g.at)),
                true,
            );
            let fit = Fit {
                x: (x0, x1),
                y: (y0, y1),
            };
            let mut chart = cartesian(root, f, x0..x1, y0..y1)?;
            axes(&mut chart.configure_mesh(), f)?;
            for s in series {
                let c = colour(s.colour);
                let style = c.stroke_width(2);
                let points = fit.points(&s.points);
                let drawn = if s.dashed {
                    chart.draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))?
                } else {
                    chart.draw_series(LineSeries::new(points.clone(), style))?
                };
                let dashed = s.dashed;
                drawn.label(&s.name).legend(move |(x, y)| {
                    let end = if dashed { x + 8 } else { x + 22 };
                    PathElement::new(vec![(x, y), (end, y)], c.stroke_width(3))
                });
                // A series of one point draws no line: mark it so that it shows.
                if *markers || s.points.len() == 1 {
                    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
                }
            }
            for s in highlight {
                let c = colour(s.colour);
                chart
                    .draw_series(fit.points(&s.points).into_iter().map(|p| {
                        EmptyElement::at(p)
                            + Circle::new((0, 0), 9, c.stroke_width(3))
                            + Circle::new((0, 0), 4, c.filled())
                    }))?
                    .label(&s.name)
                    .legend(move |(x, y)| Circle::new((x + 11, y), 6, c.stroke_width(3)));
            }
            if let Some((g, at)) = horizontal.as_ref().and_then(|g| Some((g, fit.y(g.at)?))) {
                guide(&mut chart, (x0, at), (x1, at), &g.label)?;
            }
            for (g, at) in vertical.iter().filter_map(|g| Some((g, fit.x(g.at)?))) {
                guide(&mut chart, (at, y0), (at, y1), &g.label)?;
            }
            legend(&mut chart)?;
        }
        Plot::StackedBars {
            categories,
            segments,
        } => {
            let n = categories.len().max(1);
            // A bar counts something: a segment that is negative or not a number has no height.
            let value = |values: &[f64], c: usize| {
                let v = values.get(c).copied().unwrap_or(0.0);
                if v.is_finite() {
                    v.clamp(0.0, AXIS_LIMIT)
                } else {
                    0.0
                }
            };
            let totals: Vec<f64> = (0..n)
                .map(|c| segments.iter().map(|s| value(&s.1, c)).sum())
                .collect();
            let top = (totals.iter().copied().fold(0.0, f64::max).max(1.0) * 1.25).min(AXIS_LIMIT);
            let mut chart = cartesian(root, f, -0.5..n as f64 - 0.5, 0.0..top)?;
            let category = |v: &f64| category(categories, *v);
            axes(
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_labels(n)
                    .x_label_formatter(&category),
                f,
            )?;
            let mut base = vec![0.0_f64; n];
            for (k, (name, values)) in segments.iter().enumerate() {
                let c = colour(k);
                let bars: Vec<_> = (0..n)
                    .map(|i| {
                        let v = value(values, i);
                        let r = Rectangle::new(
                            [
                                (i as f64 - 0.3, base[i].min(top)),
                                (i as f64 + 0.3, (base[i] + v).min(top)),
                            ],
                            c.filled(),
                        );
                        base[i] += v;
                        r
                    })
                    .collect();
                chart.draw_series(bars)?.label(name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled())
                });
            }
            legend(&mut chart)?;
        }
        Plot::Whiskers { points } => {
            // The mean is inside its interval in any file dialsim reads; the range holds it anyway.
            let (x0, x1) = range(points.iter().flat_map(|p| [p.x.1, p.x.2, p.x.0]), true);
            let (y0, y1) = range(points.iter().flat_map(|p| [p.y.1, p.y.2, p.y.0]), true);
            let fit = Fit {
                x: (x0, x1),
                y: (y0, y1),
            };
            let mut chart = cartesian(root, f, x0..x1, y0..y1)?;
            axes(&mut chart.configure_mesh(), f)?;
            for p in points {
                let c = colour(p.colour);
                let (Some(x), Some(xl), Some(xh), Some(y), Some(yl), Some(yh)) = (
                    fit.x(p.x.0),
                    fit.x(p.x.1),
                    fit.x(p.x.2),
                    fit.y(p.y.0),
                    fit.y(p.y.1),
                    fit.y(p.y.2),
                ) else {
                    continue;
                };
                chart.draw_series([
                    PathElement::new(vec![(xl, y), (xh, y)], c.stroke_width(2)),
                    PathElement::new(vec![(x, yl), (x, yh)], c.stroke_width(2)),
                ])?;
                chart
                    .draw_series([Circle::new((x, y), 6, c.filled())])?
                    .label(&p.name)
                    .legend(move |(x, y)| Circle::new((x + 8, y), 6, c.filled()));
            }
            legend(&mut chart)?;
        }
        Plot::Bands { series, horizontal } => {
            let all = || series.iter().flat_map(|s| s.points.iter());
            let (x0, x1) = range(all().map(|p| p.0), false);
            let (y0, y1) = range(
                all()
                    .flat_map(|p| [p.1, p.2, p.3])
                    .chain(horizontal.iter().map(|g| g.at)),
                true,
            );
            let fit = Fit {
                x: (x0, x1),
                y: (y0, y1),
            };
            let mut chart = cartesian(root, f, x0..x1, y0..y1)?;
            // A few whole-number x values (team sizes, say) get a tick each and no in-between
            // ones such as 4.5 agents.
            let mut xs: Vec<f64> = all().filter_map(|p| fit.x(p.0)).collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            let whole = |v: &f64| {
                if v.fract() == 0.0 {
                    tick(*v)
                } else {
                    String::new()
                }
            };
            let mut mesh = chart.configure_mesh();
            if !xs.is_empty() && xs.len() <= 24 && xs.iter().all(|x| x.fract() == 0.0) {
                let span = ((xs[xs.len() - 1] - xs[0]) as usize).saturating_add(1);
                mesh.x_labels(span.min(25)).x_label_formatter(&whole);
            }
            axes(&mut mesh, f)?;
            for s in series {
                let c = colour(s.colour);
                let band: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .map(|p| (p.0, p.3))
                    .chain(s.points.iter().rev().map(|p| (p.0, p.2)))
                    .filter_map(|p| fit.point(p))
                    .collect();
                chart.draw_series([Polygon::new(band, c.mix(0.18).filled())])?;
                let line: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .filter_map(|p| fit.point((p.0, p.1)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(line.clone(), c.stroke_width(2)))?
                    .label(&s.name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3))
                    });
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
            }
            if let Some((g, at)) = horizontal.as_ref().and_then(|g| Some((g, fit.y(g.at)?))) {
                guide(&mut chart, (x0, at), (x1, at), &g.label)?;
            }
            legend(&mut chart)?;
        }
        Plot::HeatMap {
            x_labels,
            y_labels,
            cells,
            decimals,
            threshold,
        } => heat_map(
            root,
            f,
            x_labels,
            y_labels,
            cells,
            *decimals,
            threshold.as_ref(),
        )?,
    }
    root.present()
}

/// The name at a category axis's position `v` (categories sit at 0, 1, 2, …); nothing between.
fn category(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() < 1e-6 && i >= 0.0 {
        names.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// A number as an axis value: no trailing zeros.
pub fn tick(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Light yellow to dark red through orange (ColorBrewer's YlOrRd), `t` in [0, 1].
fn ramp(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (255.0, 255.0, 204.0),
        (254.0, 217.0, 118.0),
        (253.0, 141.0, 60.0),
        (227.0, 26.0, 28.0),
        (128.0, 0.0, 38.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let k = (t * (STOPS.len() - 1) as f64).min((STOPS.len() - 1) as f64 - 1e-9);
    let (i, u) = (k.floor() as usize, k.fract());
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heat_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Figure,
    x_labels: &[String],
    y_labels: &[String],
    cells: &[Vec<Option<f64>>],
    decimals: usize,
    threshold: Option<&Guide>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, height) = root.dim_in_pixel();
    let (main, scale) = root.split_horizontally(width.saturating_sub(SCALE_WIDTH));
    let (nx, ny) = (x_labels.len().max(1), y_labels.len().max(1));
    let values = || {
        cells
            .iter()
            .flatten()
            .filter_map(|v| *v)
            .filter(|v| v.is_finite())
            .map(|v| v.clamp(-AXIS_LIMIT, AXIS_LIMIT))
    };
    let lo = values().fold(f64::INFINITY, f64::min);
    let hi = values().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        widen(lo, hi.max(lo + 1e-12))
    } else {
        (0.0, 1.0)
    };
    let decimals = decimals.min(MAX_DECIMALS);
    let at = |v: f64| ramp((v - lo) / (hi - lo));
    let mut chart = ChartBuilder::on(&main)
        .caption(&f.title, (FAMILY, 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)?;
    let x_label = |v: &f64| category(x_labels, *v);
    let y_label = |v: &f64| category(y_labels, *v);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .x_desc(&f.x_label)
        .y_desc(&f.y_label)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()?;
    let written = nx.saturating_mul(ny) <= 400;
    for (y, row) in cells.iter().enumerate() {
        for (x, v) in row.iter().enumerate() {
            let (xf, yf) = (x as f64, y as f64);
            let corners = [(xf - 0.5, yf - 0.5), (xf + 0.5, yf + 0.5)];
            let Some(v) = *v else {
                chart.draw_series([Rectangle::new(corners, RGBColor(235, 235, 235).filled())])?;
                continue;
            };
            chart.draw_series([Rectangle::new(corners, at(v).filled())])?;
            if threshold.is_some_and(|g| v > g.at) {
                let inset = [(xf - 0.46, yf - 0.46), (xf + 0.46, yf + 0.46)];
                chart.draw_series([Rectangle::new(inset, BLACK.stroke_width(2))])?;
            }
            if written {
                let dark = (v - lo) / (hi - lo) > 0.6;
                let style = TextStyle::from((FAMILY, 13).into_font())
                    .color(if dark { &WHITE } else { &BLACK })
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series([Text::new(format!("{v:.decimals$}"), (xf, yf), style)])?;
            }
        }
    }
    if let Some(g) = threshold {
        // The outline's meaning, under the colour scale: inside the grid a legend would hide
        // cells and their numbers.
        let top = height.saturating_sub(SCALE_BOTTOM) as i32 + 12;
        scale.draw(&Rectangle::new(
            [(6, top), (20, top + 12)],
            BLACK.stroke_width(2),
        ))?;
        let style = TextStyle::from((FAMILY, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
        for (i, line) in wrap(&g.label, 11).iter().enumerate() {
            scale.draw(&Text::new(
                line.clone(),
                (26, top + i as i32 * 15),
                style.clone(),
            ))?;
        }
    }
    let mut bar = ChartBuilder::on(&scale)
        .margin_top(60)
        .margin_bottom(SCALE_BOTTOM)
        .margin_right(12)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&|v: &f64| format!("{v:.decimals$}"))
        .label_style((FAMILY, 13))
        .draw()?;
    let steps = 60;
    bar.draw_series((0..steps).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        Rectangle::new([(0.0, a), (1.0, b)], at((a + b) / 2.0).filled())
    }))?;
    Ok(())
}

/// Width in pixels of a heat map's colour scale column, and the room under the scale (for the
/// threshold's key).
const SCALE_WIDTH: u32 = 130;
const SCALE_BOTTOM: u32 = 64;

/// `text` cut at spaces into lines of at most `width` characters (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Every chart's coordinates: numbers on both axes.
type Xy = Cartesian2d<RangedCoordf64, RangedCoordf64>;

/// A dashed guide line from `a` to `b`, named in the legend.
fn guide<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Xy>,
    a: (f64, f64),
    b: (f64, f64),
    label: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = BLACK.mix(0.7).stroke_width(2);
    chart
        .draw_series(DashedLineSeries::new(vec![a, b], 6, 6, style))?
        .label(label)
        // Dashed in the legend as on the plot, so that a guide is not taken for a series.
        .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 22, y)], 5, 3, style));
    Ok(())
}

/// A chart of `f` over `x` × `y`: its title above, room for the axes' labels.
fn cartesian<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    f: &Figure,
    x: Range<f64>,
    y: Range<f64>,
) -> Result<ChartContext<'a, DB, Xy>, DrawingAreaErrorKind<DB::ErrorType>> {
    ChartBuilder::on(root)
        .caption(&f.title, (FAMILY, 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x, y)
}

/// Draws the axes and the grid, described with `f`'s axis labels.
fn axes<'b, DB: DrawingBackend>(
    mesh: &mut MeshStyle<'_, 'b, RangedCoordf64, RangedCoordf64, DB>,
    f: &'b Figure,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    mesh.x_desc(&f.x_label)
        .y_desc(&f.y_label)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 17))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
}

fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FAMILY, 14))
        .draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample_lines() -> Figure {
        let line = |name: &str, k: f64, dashed, colour| Series {
            name: name.into(),
            points: (0..32)
                .map(|i| (f64::from(i) * 0.25, k * (f64::from(i) * 0.3).sin().abs()))
                .collect(),
            dashed,
            colour,
        };
        Figure {
            id: "sample".into(),
            title: "Abandon rate over the day".into(),
            x_label: "hours since the campaign started".into(),
            y_label: "abandon rate (%)".into(),
            plot: Plot::Lines {
                series: vec![
                    line("Predictive", 3.0, false, 0),
                    line("Predictive (regulatory)", 2.0, true, 0),
                    line("Progressive", 1.0, false, 1),
                ],
                markers: false,
                highlight: vec![],
                horizontal: Some(Guide {
                    at: 3.0,
                    label: "target 3%".into(),
                }),
                vertical: vec![],
            },
        }
    }

    #[test]
    fn renders_svg_with_title_axes_and_a_line_per_series() {
        let svg = render_svg(&sample_lines(), SIZE).unwrap();
        for text in [
            "Abandon rate over the day",
            "hours since the campaign started",
            "abandon rate (%)",
            "Predictive",
            "target 3%",
        ] {
            assert!(svg.contains(text), "SVG lacks {text:?}");
        }
        assert!(
            svg.matches("<polyline").count() >= 3,
            "one polyline per series"
        );
    }

    fn sample_heat_map(x_labels: &[&str], y_labels: &[&str]) -> Figure {
        let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Figure {
            id: "heat".into(),
            title: "Abandon rate, FixedRatio".into(),
            x_label: "agents.staffing.Count".into(),
            y_label: "strategy.ratio".into(),
            plot: Plot::HeatMap {
                x_labels: labels(x_labels),
                y_labels: labels(y_labels),
                cells: vec![
                    vec![Some(1.0), Some(2.5), Some(4.25)],
                    vec![Some(0.5), None, Some(3.5)],
                ],
                decimals: 2,
                threshold: Some(Guide {
                    at: 3.0,
                    label: "above the 3% cap".into(),
                }),
            },
        }
    }

    /// An SVG element's numeric attribute.
    fn attr(element: &str, name: &str) -> f64 {
        let at = element
            .find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("no {name} in {element}"));
        let rest = &element[at + name.len() + 3..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    }

    fn text_attr<'a>(element: &'a str, name: &str) -> &'a str {
        let Some(at) = element.find(&format!(" {name}=\"")) else {
            return "";
        };
        let rest = &element[at + name.len() + 3..];
        &rest[..rest.find('"').unwrap()]
    }

    /// Every `<rect>`: (x, y, width, height, fill, stroke).
    fn rects(svg: &str) -> Vec<(f64, f64, f64, f64, String, String)> {
        svg.split("<rect")
            .skip(1)
            .map(|r| {
                let r = &r[..r.find("/>").unwrap()];
                (
                    attr(r, "x"),
                    attr(r, "y"),
                    attr(r, "width"),
                    attr(r, "height"),
                    text_attr(r, "fill").to_string(),
                    text_attr(r, "stroke").to_string(),
                )
            })
            .collect()
    }

    /// Every `<text>`: (x, y, content).
    fn texts(svg: &str) -> Vec<(f64, f64, String)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let (head, rest) = t.split_once('>')?;
                let body = rest.split_once("</text>")?.0.trim();
                Some((attr(head, "x"), attr(head, "y"), body.to_string()))
            })
            .collect()
    }

    #[test]
    fn heat_map_has_a_cell_per_point_its_values_and_axis_labels() {
        let svg = render_svg(&sample_heat_map(&["4", "5", "6"], &["1", "1.25"]), SIZE).unwrap();
        let texts = texts(&svg);
        let has = |text: &str| texts.iter().filter(|t| t.2 == text).count();
        for text in [
            "Abandon rate, FixedRatio",
            "agents.staffing.Count",
            "strategy.ratio",
            "4",
            "6",
            "1.25",
            "4.25",
            "2.50",
            "0.50",
            "above the",
            "3% cap",
        ] {
            assert!(has(text) >= 1, "SVG lacks {text:?} in {texts:?}");
        }
        assert!(!texts.iter().any(|t| t.2.contains("NaN")), "{texts:?}");

        // The grid: one filled cell per point (the empty one grey), all of one size, left of
        // the colour scale.
        let grid_right = f64::from(SIZE.0 - SCALE_WIDTH);
        let all = rects(&svg);
        let cells: Vec<_> = all
            .iter()
            .filter(|r| r.0 < grid_right && r.5 == "none" && r.2 > 100.0 && r.2 < 400.0)
            .collect();
        assert_eq!(cells.len(), 6, "one cell per point: {cells:?}");
        assert_eq!(cells.iter().filter(|r| r.4 == "#EBEBEB").count(), 1);
        // Each value sits in its cell: column = index in x_labels, row 0 at the bottom.
        let cell_of = |x: f64, y: f64| {
            let c = cells
                .iter()
                .find(|r| x >= r.0 && x <= r.0 + r.2 && y >= r.1 && y <= r.1 + r.3)
                .unwrap_or_else(|| panic!("({x}, {y}) is in no cell"));
            (c.0, c.1)
        };
        let at = |text: &str| {
            let t = texts.iter().find(|t| t.2 == text).unwrap();
            cell_of(t.0, t.1)
        };
        let (x1, y_bottom) = at("1.00");
        let (x3, y_top) = at("3.50");
        assert!(y_top < y_bottom, "the second row is drawn above the first");
        assert!(x3 > x1, "the third column right of the first");
        assert_eq!(at("0.50").0, x1);
        assert_eq!(at("4.25").1, y_bottom);
        // Two cells above 3% are outlined.
        let outlines = all
            .iter()
            .filter(|r| r.0 < grid_right && r.4 == "none" && r.5 == "#000000" && r.2 > 20.0)
            .count();
        assert_eq!(outlines, 2);
        // The colour scale (60 steps) and the outline's key beside it, out of the grid.
        let scale = all
            .iter()
            .filter(|r| r.0 >= grid_right && r.4 != "none")
            .count();
        assert_eq!(scale, 60);
        let key = texts.iter().find(|t| t.2 == "above the").unwrap();
        assert!(key.0 >= grid_right, "the key is drawn in the grid: {key:?}");
        assert!(
            all.iter()
                .any(|r| r.0 >= grid_right && r.4 == "none" && r.5 == "#000000"),
            "no outline mark beside the key"
        );
    }

    #[test]
    fn heat_map_axes_are_categorical_labels() {
        let f = sample_heat_map(
            &["Count", "Percent", "Shift(morning)"],
            &["Predictive", "Fixed"],
        );
        assert_eq!(f.legend(), vec!["above the 3% cap"]);
        let svg = render_svg(&f, SIZE).unwrap();
        let texts = texts(&svg);
        for label in ["Count", "Percent", "Shift(morning)", "Predictive", "Fixed"] {
            assert_eq!(
                texts.iter().filter(|t| t.2 == label).count(),
                1,
                "{label:?} once as a tick label in {texts:?}"
            );
        }
        // No numeric ticks between the categories.
        assert!(
            !texts.iter().any(|t| t.2 == "0.5" || t.2 == "1.5"),
            "{texts:?}"
        );
    }

    #[test]
    fn labels_wrap_at_spaces() {
        assert_eq!(wrap("above the 3% cap", 11), ["above the", "3% cap"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert!(wrap("", 4).is_empty());
    }

    #[test]
    fn colour_ramp_runs_from_light_to_dark() {
        let lum =
            |c: RGBColor| 0.3 * f64::from(c.0) + 0.59 * f64::from(c.1) + 0.11 * f64::from(c.2);
        let steps: Vec<f64> = (0..=10).map(|i| lum(ramp(f64::from(i) / 10.0))).collect();
        assert!(steps.windows(2).all(|w| w[1] < w[0]), "{steps:?}");
        assert_eq!(ramp(-1.0), ramp(0.0));
        assert_eq!(ramp(f64::NAN), ramp(0.0));
    }

    #[test]
    fn bands_draw_a_line_and_a_band_per_series() {
        let band = |name: &str, colour| Band {
            name: name.into(),
            points: (0..5)
                .map(|i| {
                    let x = f64::from(i);
                    (x, 10.0 * x + 10.0, 10.0 * x + 5.0, 10.0 * x + 15.0)
                })
                .collect(),
            colour,
        };
        let f = Figure {
            id: "bands".into(),
            title: "Abandon rate by team size".into(),
            x_label: "agents".into(),
            y_label: "abandon rate (%)".into(),
            plot: Plot::Bands {
                series: vec![band("Progressive", 0), band("FixedRatio", 1)],
                horizontal: Some(Guide {
                    at: 3.0,
                    label: "cap 3%".into(),
                }),
            },
        };
        let svg = render_svg(&f, SIZE).unwrap();
        assert!(svg.matches("<polygon").count() >= 2, "a band per series");
        assert!(svg.matches("<polyline").count() >= 2, "a line per series");
        for text in ["Progressive", "FixedRatio", "cap 3%", "agents"] {
            assert!(svg.contains(text), "SVG lacks {text:?}");
        }
        assert_eq!(f.legend(), vec!["Progressive", "FixedRatio"]);
        // Whole-number x values (0 to 4) get whole-number ticks only.
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim()))
            .collect();
        for tick in ["0", "1", "2", "3", "4"] {
            assert!(texts.contains(&tick), "no x tick {tick}: {texts:?}");
        }
        assert!(
            !texts.contains(&"0.5") && !texts.contains(&"3.5"),
            "{texts:?}"
        );
    }

    /// Runs `work` on its own thread and fails if it has not finished within `seconds`: a chart
    /// that never ends must fail the test, not hang it.
    fn within(seconds: u64, what: &str, work: impl FnOnce() + Send + 'static) {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            work();
            let _ = done.send(());
        });
        match finished.recv_timeout(std::time::Duration::from_secs(seconds)) {
            Ok(()) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("{what} did not finish within {seconds} s")
            }
        }
    }

    /// Sets of values that once made the tick search loop forever, or that sit at the edges of
    /// `f64`: the largest magnitudes, spans that overflow when subtracted, subnormals, spans of
    /// one unit in the last place, all-equal values.
    fn extremes() -> Vec<Vec<f64>> {
        vec![
            vec![f64::MAX, -f64::MAX],
            vec![0.0, f64::MAX],
            vec![-1.7e308, 1.7e308, 0.5],
            vec![1e308, -1e308],
            vec![0.0, 1.7e308, 2.0],
            vec![5e-324, 1e-323],
            vec![f64::MIN_POSITIVE, 5e-324, 0.0],
            vec![1e10, 1e10 + 2e-6],
            vec![1e4, 10_000.000_000_000_002],
            vec![1e15, 1e15 + 0.125],
            vec![7.0; 5],
            vec![1e300; 3],
            vec![-3.0, -3.0],
            vec![f64::INFINITY, f64::NAN, 1.0],
        ]
    }

    /// Every kind of plot of `v`, intervals reversed (lo > hi) and means outside them included.
    fn extreme_figures(v: &[f64]) -> Vec<Figure> {
        let pairs: Vec<(f64, f64)> = v
            .iter()
            .zip(v.iter().rev())
            .map(|(&a, &b)| (a, b))
            .collect();
        let at = |i: usize| v[i % v.len()];
        let figure = |id: &str, plot| Figure {
            id: id.into(),
            title: "extreme".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            plot,
        };
        let series = |dashed| Series {
            name: "s".into(),
            points: pairs.clone(),
            dashed,
            colour: 0,
        };
        vec![
            figure(
                "lines",
                Plot::Lines {
                    series: vec![series(false), series(true)],
                    markers: true,
                    highlight: vec![series(false)],
                    horizontal: Some(Guide {
                        at: at(0),
                        label: "h".into(),
                    }),
                    vertical: vec![Guide {
                        at: at(1),
                        label: "v".into(),
                    }],
                },
            ),
            figure(
                "bars",
                Plot::StackedBars {
                    categories: vec!["a".into(), "b".into()],
                    segments: vec![
                        ("one".into(), v.to_vec()),
                        ("two".into(), v.iter().map(|x| -x).collect()),
                    ],
                },
            ),
            figure(
                "whiskers",
                Plot::Whiskers {
                    points: pairs
                        .iter()
                        .map(|&(a, b)| Whiskered {
                            name: "w".into(),
                            x: (a, b, a),
                            y: (b, a, -b),
                            colour: 1,
                        })
                        .collect(),
                },
            ),
            figure(
                "bands",
                Plot::Bands {
                    series: vec![Band {
                        name: "b".into(),
                        points: pairs.iter().map(|&(a, b)| (a, b, a, b)).collect(),
                        colour: 2,
                    }],
                    horizontal: Some(Guide {
                        at: at(2),
                        label: "cap".into(),
                    }),
                },
            ),
            figure(
                "heat",
                Plot::HeatMap {
                    x_labels: vec!["1".into(), "2".into()],
                    y_labels: vec!["a".into(), "b".into()],
                    cells: vec![vec![Some(at(0)), Some(at(1))], vec![None, Some(at(2))]],
                    decimals: usize::MAX,
                    threshold: Some(Guide {
                        at: at(1),
                        label: "above".into(),
                    }),
                },
            ),
        ]
    }

    // What broke: a results file whose numbers came near ±1.7e308 (an interval's bound, a
    // wait-distribution point) made `dialsim report` spin forever in plotters' tick search.
    #[test]
    fn charts_finish_on_extreme_finite_values() {
        within(120, "rendering extreme values", || {
            let dir = std::env::temp_dir().join(format!("dialsim-extreme-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            for (k, v) in extremes().iter().enumerate() {
                for f in extreme_figures(v) {
                    let svg =
                        render_svg(&f, SIZE).unwrap_or_else(|e| panic!("{} of {v:?}: {e}", f.id));
                    assert!(svg.starts_with("<svg"), "{} of {v:?}", f.id);
                    let png = dir.join(format!("{}-{k}.png", f.id));
                    render_png(&f, SIZE, &png).unwrap_or_else(|e| panic!("{} of {v:?}: {e}", f.id));
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        });
    }

    // What broke: plotters' tick search ends only on a range it can step through; every range a
    // chart hands it (`range`, `widen`) must be one, whatever the values.
    #[test]
    fn every_axis_range_has_ticks() {
        use plotters::coord::ranged1d::{BoldPoints, LightPoints, Ranged};
        within(120, "the tick search", || {
            // A fixed pseudo-random walk over magnitudes from 1e-320 to f64::MAX and spans
            // from a unit in the last place to wider than the values.
            let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64
            };
            let mut cases: Vec<Vec<f64>> = extremes();
            for _ in 0..20_000 {
                let magnitude = 10f64.powf(-320.0 + 628.0 * next());
                let span = magnitude * 10f64.powf(-17.0 + 18.0 * next());
                let lo = if next() < 0.5 { -magnitude } else { magnitude };
                cases.push(vec![lo, lo + span]);
            }
            for values in &cases {
                for from_zero in [false, true] {
                    let (lo, hi) = range(values.iter().copied(), from_zero);
                    assert!(
                        lo.is_finite() && hi.is_finite() && lo < hi,
                        "{values:?}: {lo}..{hi}"
                    );
                    let axis = RangedCoordf64::from(lo..hi);
                    for n in [1, 2, 6, 11, 25] {
                        axis.key_points(BoldPoints(n));
                        axis.key_points(LightPoints::new(n, n * 10));
                    }
                }
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                if lo.is_finite() && lo.abs() <= AXIS_LIMIT {
                    let (a, b) = widen(lo, lo.max(lo + 1e-12));
                    RangedCoordf64::from(a..b).key_points(BoldPoints(6));
                    RangedCoordf64::from(a..b).key_points(LightPoints::new(6, 60));
                }
            }
        });
    }

    #[test]
    fn ordinary_ranges_are_unchanged() {
        // The guards change nothing a results file can hold: reports render byte for byte as
        // before them.
        assert_eq!(range([0.0, 10.0].into_iter(), true), (0.0, 10.5));
        assert_eq!(range([2.0, 4.0].into_iter(), false), (1.9, 4.1));
        assert_eq!(range([5.0, 5.0].into_iter(), false), (4.95, 6.05));
        assert_eq!(range(std::iter::empty(), true), (0.0, 1.0));
        assert_eq!(widen(50.0, 50.000_000_000_001), (50.0, 50.000_000_000_001));
        // Beyond: clamped, then widened.
        let (lo, hi) = range([f64::MAX, -f64::MAX].into_iter(), false);
        assert!(
            lo >= -1.1 * AXIS_LIMIT && hi <= 1.1 * AXIS_LIMIT,
            "{lo} {hi}"
        );
        let (lo, hi) = range([1e10, 1e10 + 2e-6].into_iter(), false);
        assert!(hi - lo >= 1e10 * MIN_RELATIVE_SPAN, "{lo} {hi}");
    }

    #[test]
    fn renders_png_of_the_requested_size_with_text() {
        let path = std::env::temp_dir().join(format!("dialsim-chart-{}.png", std::process::id()));
        render_png(&sample_lines(), SIZE, &path).unwrap();
        let img = image::open(&path).expect("a PNG that decodes").to_rgb8();
        assert_eq!(img.dimensions(), SIZE);
        // The caption area (top 40 px) is white except for the title's text.
        let dark = (0..SIZE.0)
            .flat_map(|x| (0..40).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 100))
            .count();
        assert!(dark > 200, "the title was not drawn ({dark} dark pixels)");
        std::fs::copy(&path, std::env::temp_dir().join("dialsim-chart-sample.png")).unwrap();
    }
}
