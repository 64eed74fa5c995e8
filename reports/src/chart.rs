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

/// A strategy's colour, chosen by what kind of pacer it is so that Progressive, say, is drawn in
/// the same colour on every chart of every report (a results file, a frontier, a sweep of the
/// same scenario), whatever order the file lists its strategies in. Strategies of one kind after
/// the first take the next colour no strategy of the list has.
pub fn strategy_colours(names: &[String]) -> Vec<usize> {
    // Every kind of pacer, in palette order (the tenth colour is for a second of one kind).
    const KINDS: [&str; 9] = [
        "Progressive",
        "AgentsAvailable",
        "FixedRatio",
        "FreePlusBusy",
        "Adaptive",
        "PiController",
        "Predictive",
        "AsWritten",
        "OpenLoop",
    ];
    let kind = |name: &str| {
        let head = name.split(['(', ' ', ':']).next().unwrap_or(name);
        KINDS.iter().position(|k| *k == head)
    };
    let mut taken: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let preferred = kind(name).filter(|c| !taken.contains(c));
        let c = preferred.unwrap_or_else(|| {
            (0..COLOURS.len())
                .find(|c| !taken.contains(c) && !names.iter().any(|n| kind(n) == Some(*c)))
                .or_else(|| (0..COLOURS.len()).find(|c| !taken.contains(c)))
                .unwrap_or(taken.len() % COLOURS.len())
        });
        taken.push(c);
        out.push(c);
    }
    out
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
    /// `Some(w)`: each point is a value over an interval of width `w` starting at its x, drawn as
    /// a flat step across the interval (a gap where an interval has no value), not joined to
    /// the next value by a slope.
    pub step: Option<f64>,
}

/// A point with 95% confidence whiskers on both axes.
#[derive(Clone, Debug, PartialEq)]
pub struct Whiskered {
    pub name: String,
    pub x: (f64, f64, f64),
    pub y: (f64, f64, f64),
    pub colour: usize,
    /// Written beside the point (placed so that labels do not cover each other).
    pub label: Option<String>,
    /// Drawn large and ringed (a chosen setting).
    pub chosen: bool,
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

/// A row of a strip plot: one dot per value (a day), over a box from its lower to its upper
/// quartile with the median marked.
#[derive(Clone, Debug, PartialEq)]
pub struct Strip {
    /// The row's label on the y axis.
    pub name: String,
    pub values: Vec<f64>,
    pub colour: usize,
}

/// One panel of small multiples: a value per interval and the spread of days around it.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub name: String,
    pub colour: usize,
    /// (interval start, value).
    pub line: Vec<(f64, f64)>,
    /// (interval start, low, high).
    pub band: Vec<(f64, f64, f64)>,
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
    /// One point per entry, with whiskers; `joined`: the points of one name are joined in order
    /// of x. One legend entry per name.
    Whiskers {
        points: Vec<Whiskered>,
        joined: bool,
        vertical: Vec<Guide>,
        /// What a ring means, in the legend ("chosen setting"), when a point is ringed.
        ringed: String,
    },
    /// Lines with markers over shaded 95% intervals.
    Bands {
        series: Vec<Band>,
        horizontal: Option<Guide>,
        /// The x values are the only ones there are (a count of agents, two settings): each
        /// point is drawn with a whisker, not joined by a line through values never simulated.
        discrete: bool,
    },
    /// A grid of cells coloured by value, with the value written in each cell (on grids up to
    /// 400 cells) and a colour scale beside it. The axes are categorical: `cells[y][x]` belongs
    /// to column `x_labels[x]` and row `y_labels[y]`, evenly spaced whatever the labels say
    /// (numbers, names); `None` is a cell without a value. `scale`: the colour scale's ends
    /// (shared by every map of one metric); `None`: this map's own values.
    HeatMap {
        x_labels: Vec<String>,
        y_labels: Vec<String>,
        cells: Vec<Vec<Option<f64>>>,
        decimals: usize,
        /// Cells above `at` are outlined.
        threshold: Option<Guide>,
        scale: Option<(f64, f64)>,
    },
    /// One row per entry, its values as dots along x, first row at the top.
    Strips {
        rows: Vec<Strip>,
        vertical: Option<Guide>,
    },
    /// Small multiples on one scale: a panel per entry, each interval `step` wide.
    Panels {
        panels: Vec<Panel>,
        step: f64,
        /// What the line and the band are, for the legend.
        line_means: String,
        band_means: String,
        horizontal: Option<Guide>,
        /// Where a measurement window opens and closes, in every panel.
        vertical: Vec<Guide>,
    },
}

/// How x values are written under the axis.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum XAxis {
    #[default]
    Number,
    /// x counts hours since the start and is written as the clock time `shift_h` hours later
    /// ("09:00"): the start's local time of day in hours.
    Clock { shift_h: f64 },
}

/// The part of the plane a chart shows. `None`: everything drawn. A value outside is drawn at
/// the edge with a mark (a triangle pointing out) and its value written beside it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct View {
    pub x: Option<(f64, f64)>,
    pub y: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// File stem: `abandon-rate` → `abandon-rate.svg`, `abandon-rate.png`.
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub plot: Plot,
    pub x_axis: XAxis,
    pub view: View,
}

impl Figure {
    /// A figure of `plot` with numbered axes over everything it draws.
    pub fn new(id: &str, title: &str, x_label: &str, y_label: &str, plot: Plot) -> Figure {
        Figure {
            id: id.into(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            plot,
            x_axis: XAxis::Number,
            view: View::default(),
        }
    }

    /// Names of the entries in the legend, in order.
    pub fn legend(&self) -> Vec<String> {
        keys(&self.plot).into_iter().map(|k| k.1).collect()
    }
}

/// What a legend entry shows beside its name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Key {
    Line { colour: RGBColor, dashed: bool },
    Dot(RGBColor),
    Ring(RGBColor),
    Block(RGBColor),
    Guide,
    Outline,
}

/// The legend of `plot`: one entry per name, in the order drawn.
fn keys(plot: &Plot) -> Vec<(Key, String)> {
    let mut keys: Vec<(Key, String)> = Vec::new();
    let mut push = |key: Key, name: &str| {
        if !keys.iter().any(|k| k.1 == name) {
            keys.push((key, name.to_string()));
        }
    };
    match plot {
        Plot::Lines {
            series,
            highlight,
            horizontal,
            vertical,
            ..
        } => {
            for s in series {
                push(
                    Key::Line {
                        colour: colour(s.colour),
                        dashed: s.dashed,
                    },
                    &s.name,
                );
            }
            for s in highlight {
                push(Key::Ring(colour(s.colour)), &s.name);
            }
            for g in horizontal.iter().chain(vertical) {
                push(Key::Guide, &g.label);
            }
        }
        Plot::StackedBars { segments, .. } => {
            for (k, s) in segments.iter().enumerate() {
                push(Key::Block(colour(k)), &s.0);
            }
        }
        Plot::Whiskers {
            points,
            vertical,
            ringed,
            ..
        } => {
            for p in points {
                push(Key::Dot(colour(p.colour)), &p.name);
            }
            if points.iter().any(|p| p.chosen) {
                push(Key::Ring(RGBColor(90, 90, 90)), ringed);
            }
            for g in vertical {
                push(Key::Guide, &g.label);
            }
        }
        Plot::Bands {
            series,
            horizontal,
            discrete,
        } => {
            for s in series {
                let c = colour(s.colour);
                let key = if *discrete {
                    Key::Dot(c)
                } else {
                    Key::Line {
                        colour: c,
                        dashed: false,
                    }
                };
                push(key, &s.name);
            }
            if !series.is_empty() {
                let interval = if *discrete {
                    Key::Line {
                        colour: RGBColor(120, 120, 120),
                        dashed: false,
                    }
                } else {
                    Key::Block(RGBColor(200, 200, 200))
                };
                push(interval, "95% interval");
            }
            if let Some(g) = horizontal {
                push(Key::Guide, &g.label);
            }
        }
        Plot::HeatMap { threshold, .. } => {
            if let Some(g) = threshold {
                push(Key::Outline, &g.label);
            }
        }
        Plot::Panels {
            panels,
            line_means,
            band_means,
            horizontal,
            vertical,
            ..
        } => {
            if !panels.is_empty() {
                push(
                    Key::Line {
                        colour: RGBColor(90, 90, 90),
                        dashed: false,
                    },
                    line_means,
                );
                push(Key::Block(RGBColor(200, 200, 200)), band_means);
            }
            for g in horizontal.iter().chain(vertical) {
                push(Key::Guide, &g.label);
            }
        }
        Plot::Strips { rows, vertical } => {
            if !rows.is_empty() {
                push(Key::Dot(RGBColor(90, 90, 90)), "a day (replication)");
                push(Key::Block(RGBColor(215, 215, 215)), "middle half of days");
                push(
                    Key::Line {
                        colour: RGBColor(60, 60, 60),
                        dashed: false,
                    },
                    "median day",
                );
            }
            if let Some(g) = vertical {
                push(Key::Guide, &g.label);
            }
        }
    }
    keys
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

/// Width in pixels of the legend column right of the plot: a legend never covers data.
pub const LEGEND_WIDTH: u32 = 210;
/// Colour of a legend's frame (tests find legends by it).
pub const LEGEND_FRAME: RGBColor = RGBColor(180, 180, 180);
/// Colour of the grid's light lines, which span exactly the plotting area.
pub const GRID: RGBColor = RGBColor(235, 235, 235);

/// The unit a value on an axis is written with, from the axis's label: "(%)" → "%".
fn unit_of(label: &str) -> &'static str {
    if label.ends_with("(%)") {
        "%"
    } else if label.ends_with("(s)") {
        " s"
    } else {
        ""
    }
}

/// A value written beside its clipped mark: three significant digits at most.
fn clipped_value(v: f64, unit: &str) -> String {
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$}{unit}")
}

/// The view's range on one axis, or the data's.
fn view_or(view: Option<(f64, f64)>, data: (f64, f64)) -> (f64, f64) {
    match view {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => {
            let (lo, hi) = (
                lo.clamp(-AXIS_LIMIT, AXIS_LIMIT),
                hi.clamp(-AXIS_LIMIT, AXIS_LIMIT),
            );
            widen(lo, hi.max(lo + 1e-12))
        }
        _ => data,
    }
}

/// The title across the top and the legend in a column on the right; the plot goes in what is
/// returned (left of the legend, under the title).
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Figure,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let titled = root.margin(8, 0, 0, 0).titled(&f.title, (FAMILY, 22))?;
    let keys = keys(&f.plot);
    if keys.is_empty() || matches!(f.plot, Plot::HeatMap { .. }) {
        return Ok(titled);
    }
    let (width, _) = titled.dim_in_pixel();
    let (main, side) = titled.split_horizontally(width.saturating_sub(LEGEND_WIDTH));
    draw_legend(&side, &keys)?;
    Ok(main)
}

/// Characters of legend text on one line.
const LEGEND_CHARS: usize = 22;

fn draw_legend<DB: DrawingBackend>(
    side: &DrawingArea<DB, Shift>,
    keys: &[(Key, String)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, height) = side.dim_in_pixel();
    let line = 17;
    let style = TextStyle::from((FAMILY, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let (left, top) = (4, 14);
    let mut y = top + 10;
    let mut rows = Vec::new();
    for (key, name) in keys {
        let lines = wrap(name, LEGEND_CHARS);
        let lines = if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        };
        let h = lines.len() as i32 * line;
        if y + h > height as i32 - 8 {
            break;
        }
        rows.push((*key, lines, y));
        y += h + 5;
    }
    let bottom = y - 5 + 8;
    side.draw(&Rectangle::new(
        [(left, top), (width as i32 - 6, bottom)],
        LEGEND_FRAME.stroke_width(1),
    ))?;
    for (key, lines, y) in rows {
        let (x, cy) = (left + 10, y + line / 2 - 1);
        match key {
            Key::Line { colour, dashed } => {
                if dashed {
                    side.draw(&DashedPathElement::new(
                        vec![(x, cy), (x + 24, cy)],
                        5,
                        3,
                        colour.stroke_width(3),
                    ))?
                } else {
                    side.draw(&PathElement::new(
                        vec![(x, cy), (x + 24, cy)],
                        colour.stroke_width(3),
                    ))?
                }
            }
            Key::Dot(c) => side.draw(&Circle::new((x + 12, cy), 5, c.filled()))?,
            Key::Ring(c) => side.draw(&Circle::new((x + 12, cy), 7, c.stroke_width(3)))?,
            Key::Block(c) => side.draw(&Rectangle::new(
                [(x + 2, cy - 6), (x + 22, cy + 6)],
                c.filled(),
            ))?,
            Key::Guide => side.draw(&DashedPathElement::new(
                vec![(x, cy), (x + 24, cy)],
                5,
                3,
                BLACK.mix(0.7).stroke_width(2),
            ))?,
            Key::Outline => side.draw(&Rectangle::new(
                [(x + 4, cy - 6), (x + 18, cy + 6)],
                BLACK.stroke_width(2),
            ))?,
        }
        for (i, text) in lines.iter().enumerate() {
            side.draw(&Text::new(
                text.clone(),
                (x + 32, y + i as i32 * line + line / 2),
                style.clone(),
            ))?;
        }
    }
    Ok(())
}

/// Text boxes already drawn on a chart, in pixels, so that a new label goes where it covers
/// none of them (and no marked point).
struct Labels {
    taken: Vec<(i32, i32, i32, i32)>,
    bounds: (i32, i32, i32, i32),
}

const LABEL_SIZE: i32 = 13;

/// A label's width in pixels, estimated (DejaVu Sans runs about 0.56 of its size a character).
fn label_width(text: &str) -> i32 {
    (text.chars().count() as f64 * f64::from(LABEL_SIZE) * 0.56).ceil() as i32
}

impl Labels {
    fn new(bounds: (i32, i32, i32, i32)) -> Labels {
        Labels {
            taken: Vec::new(),
            bounds,
        }
    }

    fn occupy(&mut self, (x, y): (i32, i32), r: i32) {
        self.taken.push((x - r, y - r, x + r, y + r));
    }

    fn free(&self, b: (i32, i32, i32, i32)) -> bool {
        let (l, t, r, bt) = self.bounds;
        b.0 >= l
            && b.2 <= r
            && b.1 >= t
            && b.3 <= bt
            && !self
                .taken
                .iter()
                .any(|o| b.0 < o.2 && o.0 < b.2 && b.1 < o.3 && o.1 < b.3)
    }

    /// Where `text` goes near `anchor` (a box's top-left), nearest first; the first place
    /// right of the point if every one is taken.
    fn place(&mut self, anchor: (i32, i32), text: &str) -> ((i32, i32), bool) {
        let w = label_width(text) + 4;
        let h = LABEL_SIZE + 4;
        let (ax, ay) = anchor;
        let mut candidates = Vec::new();
        for step in 0..6 {
            let d = step * (h + 2);
            candidates.extend([
                (ax + 11, ay - h / 2 - d),
                (ax + 11, ay - h / 2 + d),
                (ax - 11 - w, ay - h / 2 - d),
                (ax - 11 - w, ay - h / 2 + d),
            ]);
            if step > 0 {
                candidates.extend([(ax - w / 2, ay - 12 - h - d), (ax - w / 2, ay + 12 + d)]);
            }
        }
        let first = candidates[0];
        let (spot, placed) = candidates
            .into_iter()
            .map(|(x, y)| (x, y, (x, y, x + w, y + h)))
            .find(|c| self.free(c.2))
            .map_or(((first.0, first.1), false), |c| ((c.0, c.1), true));
        self.taken.push((spot.0, spot.1, spot.0 + w, spot.1 + h));
        // Far from its point (or nowhere free): a leader line says which point it names.
        let far = !placed || (spot.1 + h / 2 - ay).abs() > h;
        (spot, far)
    }
}

/// Draws `text` near pixel `anchor` on `root` where no other label is, with a leader line when
/// it had to go far.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &mut Labels,
    anchor: (i32, i32),
    text: &str,
    colour: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let ((x, y), far) = labels.place(anchor, text);
    let width = label_width(text);
    // The point's colour, darkened so that pale ones read on white.
    let ink = RGBColor(
        (f64::from(colour.0) * 0.6) as u8,
        (f64::from(colour.1) * 0.6) as u8,
        (f64::from(colour.2) * 0.6) as u8,
    );
    if far {
        // In the label's ink: a line in the point's own pale colour was lost among the error
        // bars of the same colour.
        let end = (
            if x > anchor.0 { x } else { x + width + 4 },
            y + LABEL_SIZE / 2 + 2,
        );
        root.draw(&PathElement::new(vec![anchor, end], ink.stroke_width(1)))?;
    }
    let style = TextStyle::from((FAMILY, LABEL_SIZE).into_font())
        .color(&ink)
        .pos(Pos::new(HPos::Left, VPos::Top));
    root.draw(&Rectangle::new(
        [(x, y), (x + width + 4, y + LABEL_SIZE + 4)],
        WHITE.mix(0.8).filled(),
    ))?;
    root.draw(&Text::new(text.to_string(), (x + 2, y + 2), style))
}

/// Marks a value beyond the view: a triangle at the edge pointing out, the value beside it.
fn clip_mark<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &mut Labels,
    at: (i32, i32),
    outward: (i32, i32),
    text: &str,
    colour: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (x, y) = at;
    let (dx, dy) = outward;
    let tip = (x + dx * 9, y + dy * 9);
    let (a, b) = if dx != 0 {
        ((x, y - 6), (x, y + 6))
    } else {
        ((x - 6, y), (x + 6, y))
    };
    root.draw(&Polygon::new(vec![tip, a, b], colour.filled()))?;
    labels.occupy(at, 9);
    if text.is_empty() {
        return Ok(());
    }
    label(root, labels, at, text, colour)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Figure,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let area = frame(root, f)?;
    let x_unit = unit_of(&f.x_label);
    let y_unit = unit_of(&f.y_label);
    let clock = |v: &f64| x_value(f.x_axis, *v);
    match &f.plot {
        Plot::Lines {
            series,
            markers,
            highlight,
            horizontal,
            vertical,
        } => {
            let all = || series.iter().chain(highlight).flat_map(|s| s.points.iter());
            let ends = series
                .iter()
                .filter_map(|s| Some(s.points.last()?.0 + s.step?));
            let fit = Fit {
                x: view_or(
                    f.view.x,
                    range(
                        all()
                            .map(|p| p.0)
                            .chain(ends)
                            .chain(vertical.iter().map(|g| g.at)),
                        false,
                    ),
                ),
                y: view_or(
                    f.view.y,
                    range(
                        all().map(|p| p.1).chain(horizontal.iter().map(|g| g.at)),
                        true,
                    ),
                ),
            };
            let ((x0, x1), (y0, y1)) = (fit.x, fit.y);
            let mut chart = cartesian(&area, x0..x1, y0..y1)?;
            let mut mesh = chart.configure_mesh();
            if let XAxis::Clock { .. } = f.x_axis {
                let hours = ((x1 - x0).ceil() as usize).clamp(2, 25);
                mesh.x_labels(hours);
            }
            mesh.x_label_formatter(&clock).y_label_formatter(&numbers);
            axes(&mut mesh, f)?;
            let mut labels = Labels::new(plot_bounds(&chart));
            for s in series {
                let c = colour(s.colour);
                let style = c.stroke_width(2);
                for piece in pieces(s) {
                    let points = fit.points(&piece);
                    if s.dashed {
                        chart.draw_series(DashedLineSeries::new(points, 8, 5, style))?;
                    } else {
                        chart.draw_series(LineSeries::new(points, style))?;
                    }
                }
                // A series of one point draws no line: mark it so that it shows.
                if (*markers || s.points.len() == 1) && s.step.is_none() {
                    chart.draw_series(
                        fit.points(&s.points)
                            .into_iter()
                            .map(|p| Circle::new(p, 3, c.filled())),
                    )?;
                }
            }
            // Peaks above the view: one mark per run of values over its top.
            for s in series {
                let c = colour(s.colour);
                let mut run: Option<(f64, f64)> = None;
                let mut peaks = Vec::new();
                for &(x, y) in &s.points {
                    if y.is_finite() && y > y1 {
                        let x = x + s.step.unwrap_or(0.0) / 2.0;
                        run = Some(match run {
                            Some((px, py)) if py >= y => (px, py),
                            _ => (x, y),
                        });
                    } else if let Some(p) = run.take() {
                        peaks.push(p);
                    }
                }
                peaks.extend(run);
                for (x, y) in peaks {
                    let at = chart.backend_coord(&(x.clamp(x0, x1), y1));
                    clip_mark(root, &mut labels, at, (0, -1), &clipped_value(y, y_unit), c)?;
                }
            }
            for s in highlight {
                let c = colour(s.colour);
                chart.draw_series(fit.points(&s.points).into_iter().map(|p| {
                    EmptyElement::at(p)
                        + Circle::new((0, 0), 9, c.stroke_width(3))
                        + Circle::new((0, 0), 4, c.filled())
                }))?;
            }
            if let Some(at) = horizontal.as_ref().and_then(|g| fit.y(g.at)) {
                guide(&mut chart, (x0, at), (x1, at))?;
            }
            for at in vertical.iter().filter_map(|g| fit.x(g.at)) {
                guide(&mut chart, (at, y0), (at, y1))?;
            }
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
            let top = (totals.iter().copied().fold(0.0, f64::max).max(1.0) * 1.05).min(AXIS_LIMIT);
            let mut chart = cartesian(&area, -0.5..n as f64 - 0.5, 0.0..top)?;
            let category = |v: &f64| category(categories, *v);
            axes(
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .x_labels(n)
                    .x_label_formatter(&category)
                    .y_label_formatter(&numbers),
                f,
            )?;
            let mut base = vec![0.0_f64; n];
            for (k, (_, values)) in segments.iter().enumerate() {
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
                chart.draw_series(bars)?;
            }
        }
        Plot::Whiskers {
            points,
            joined,
            vertical,
            ..
        } => {
            // The mean is inside its interval in any file dialsim reads; the range holds it anyway.
            let fit = Fit {
                x: view_or(
                    f.view.x,
                    range(
                        points
                            .iter()
                            .flat_map(|p| [p.x.1, p.x.2, p.x.0])
                            .chain(vertical.iter().map(|g| g.at)),
                        true,
                    ),
                ),
                y: view_or(
                    f.view.y,
                    range(points.iter().flat_map(|p| [p.y.1, p.y.2, p.y.0]), true),
                ),
            };
            let ((x0, x1), (y0, y1)) = (fit.x, fit.y);
            let mut chart = cartesian(&area, x0..x1, y0..y1)?;
            axes(
                chart
                    .configure_mesh()
                    .x_label_formatter(&numbers)
                    .y_label_formatter(&numbers),
                f,
            )?;
            let mut labels = Labels::new(plot_bounds(&chart));
            for g in vertical {
                if let Some(at) = fit.x(g.at) {
                    guide(&mut chart, (at, y0), (at, y1))?;
                }
            }
            let inside = |p: &Whiskered| (x0..=x1).contains(&p.x.0) && (y0..=y1).contains(&p.y.0);
            if *joined {
                let mut names: Vec<&str> = Vec::new();
                for p in points {
                    if !names.contains(&p.name.as_str()) {
                        names.push(&p.name);
                    }
                }
                for name in names {
                    let mut line: Vec<&Whiskered> = points
                        .iter()
                        .filter(|p| p.name == name && p.x.0.is_finite() && p.y.0.is_finite())
                        .collect();
                    line.sort_by(|a, b| a.x.0.total_cmp(&b.x.0));
                    let c = line.first().map_or(BLACK, |p| colour(p.colour));
                    // A point outside the view is marked at the edge, not joined: a line to
                    // its clamped place would show a slope that is not there.
                    let path = line
                        .iter()
                        .filter(|p| inside(p))
                        .filter_map(|p| fit.point((p.x.0, p.y.0)));
                    chart.draw_series(LineSeries::new(path, c.mix(0.55).stroke_width(1)))?;
                }
            }
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
                let width = if p.chosen { 2 } else { 1 };
                chart.draw_series([
                    PathElement::new(vec![(xl, y), (xh, y)], c.stroke_width(width)),
                    PathElement::new(vec![(x, yl), (x, yh)], c.stroke_width(width)),
                ])?;
                if inside(p) {
                    let r = if p.chosen { 5 } else { 4 };
                    chart.draw_series([Circle::new((x, y), r, c.filled())])?;
                    if p.chosen {
                        chart.draw_series([Circle::new((x, y), 10, c.stroke_width(3))])?;
                    }
                    labels.occupy(chart.backend_coord(&(x, y)), if p.chosen { 11 } else { 5 });
                }
            }
            // Labels after every point is down, so that none covers a point drawn later.
            for p in points.iter().filter(|p| inside(p)) {
                if let (Some(text), Some(at)) = (&p.label, fit.point((p.x.0, p.y.0))) {
                    label(
                        root,
                        &mut labels,
                        chart.backend_coord(&at),
                        text,
                        colour(p.colour),
                    )?;
                }
            }
            for p in points.iter().filter(|p| !inside(p)) {
                let (Some(x), Some(y)) = (fit.x(p.x.0), fit.y(p.y.0)) else {
                    continue;
                };
                let (outward, value) = if p.x.0 > x1 {
                    ((1, 0), clipped_value(p.x.0, x_unit))
                } else if p.x.0 < x0 {
                    ((-1, 0), clipped_value(p.x.0, x_unit))
                } else if p.y.0 > y1 {
                    ((0, -1), clipped_value(p.y.0, y_unit))
                } else {
                    ((0, 1), clipped_value(p.y.0, y_unit))
                };
                let text = match &p.label {
                    Some(l) => format!("{l} at {value}"),
                    // Below or above the view only productivity differs: the mark says there
                    // is a point; along the abandon axis its value is the news.
                    None if outward.0 == 0 => String::new(),
                    None => value,
                };
                let at = chart.backend_coord(&(x, y));
                clip_mark(root, &mut labels, at, outward, &text, colour(p.colour))?;
            }
        }
        Plot::Bands {
            series,
            horizontal,
            discrete,
        } => {
            let all = || series.iter().flat_map(|s| s.points.iter());
            let fit = Fit {
                x: view_or(f.view.x, range(all().map(|p| p.0), false)),
                y: view_or(
                    f.view.y,
                    range(
                        all()
                            .flat_map(|p| [p.1, p.2, p.3])
                            .chain(horizontal.iter().map(|g| g.at)),
                        true,
                    ),
                ),
            };
            let ((x0, x1), _) = (fit.x, fit.y);
            let mut chart = cartesian(&area, x0..x1, fit.y.0..fit.y.1)?;
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
            mesh.y_label_formatter(&numbers);
            if !xs.is_empty() && xs.len() <= 24 && xs.iter().all(|x| x.fract() == 0.0) {
                let span = ((xs[xs.len() - 1] - xs[0]) as usize).saturating_add(1);
                mesh.x_labels(span.min(25)).x_label_formatter(&whole);
            }
            axes(&mut mesh, f)?;
            // Points side by side at one x, so that equal values do not hide each other.
            let gap = xs.windows(2).map(|w| w[1] - w[0]).fold(x1 - x0, f64::min);
            for (k, s) in series.iter().enumerate().filter(|_| *discrete) {
                let c = colour(s.colour);
                let dodge = (k as f64 - (series.len() as f64 - 1.0) / 2.0) * gap * 0.06;
                for p in &s.points {
                    let (Some(x), Some(m), Some(lo), Some(hi)) =
                        (fit.x(p.0 + dodge), fit.y(p.1), fit.y(p.2), fit.y(p.3))
                    else {
                        continue;
                    };
                    chart.draw_series([PathElement::new(
                        vec![(x, lo), (x, hi)],
                        c.stroke_width(2),
                    )])?;
                    chart.draw_series([Circle::new((x, m), 5, c.filled())])?;
                }
            }
            for s in series.iter().filter(|_| !*discrete) {
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
                chart.draw_series(LineSeries::new(line.clone(), c.stroke_width(2)))?;
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
            }
            if let Some(at) = horizontal.as_ref().and_then(|g| fit.y(g.at)) {
                guide(&mut chart, (x0, at), (x1, at))?;
            }
        }
        Plot::HeatMap {
            x_labels,
            y_labels,
            cells,
            decimals,
            threshold,
            scale,
        } => heat_map(
            &area,
            f,
            (x_labels, y_labels),
            cells,
            *decimals,
            (threshold.as_ref(), *scale),
        )?,
        Plot::Strips { rows, vertical } => strips(root, &area, f, rows, vertical.as_ref())?,
        Plot::Panels {
            panels: entries,
            step,
            horizontal,
            vertical,
            ..
        } => panels(
            root,
            &area,
            f,
            entries,
            *step,
            (horizontal.as_ref(), vertical),
        )?,
    }
    root.present()
}

/// A series' points as the paths drawn: one path for a line; for steps, each run of adjacent
/// intervals as a staircase across them (an interval without a value breaks it).
fn pieces(s: &Series) -> Vec<Vec<(f64, f64)>> {
    let Some(w) = s.step else {
        return vec![s.points.clone()];
    };
    let values: Vec<(f64, f64, f64)> = s.points.iter().map(|&(x, y)| (x, y, y)).collect();
    runs(&values, w)
        .iter()
        .map(|run| {
            run.iter()
                .flat_map(|q| [(q.0, q.1), (q.0 + w, q.1)])
                .collect()
        })
        .collect()
}

/// Small multiples: one panel per entry on a shared scale, its value over each interval as a
/// step with the spread of days shaded behind it.
fn panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    f: &Figure,
    panels: &[Panel],
    step: f64,
    (horizontal, vertical): (Option<&Guide>, &[Guide]),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let n = panels.len().max(1);
    let rows = match n {
        1..=3 => 1,
        4..=8 => 2,
        _ => n.div_ceil(4),
    };
    let cols = n.div_ceil(rows);
    let xs = || {
        panels
            .iter()
            .flat_map(|p| p.line.iter().map(|q| q.0).chain(p.band.iter().map(|q| q.0)))
    };
    let x_data = range(
        xs().chain(xs().map(|x| x + step))
            .chain(vertical.iter().map(|g| g.at)),
        false,
    );
    let y_data = range(
        panels
            .iter()
            .flat_map(|p| {
                p.line
                    .iter()
                    .map(|q| q.1)
                    .chain(p.band.iter().flat_map(|q| [q.1, q.2]))
            })
            .chain(horizontal.map(|g| g.at)),
        true,
    );
    let fit = Fit {
        x: view_or(f.view.x, x_data),
        y: view_or(f.view.y, y_data),
    };
    let ((x0, x1), (y0, y1)) = (fit.x, fit.y);
    // The axes' names once for all panels: y along the left edge, x under the grid.
    let (w, h) = area.dim_in_pixel();
    let (left, rest) = area.split_horizontally(22);
    let (grid, bottom) = rest.split_vertically(h.saturating_sub(26));
    let desc = TextStyle::from((FAMILY, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    left.draw(&Text::new(
        f.y_label.clone(),
        (11, h as i32 / 2),
        desc.transform(FontTransform::Rotate270),
    ))?;
    bottom.draw(&Text::new(
        f.x_label.clone(),
        ((w as i32 - 22) / 2, 13),
        desc.clone(),
    ))?;
    let cells = grid.split_evenly((rows, cols));
    let clock = |v: &f64| x_value(f.x_axis, *v);
    for (p, cell) in panels.iter().zip(&cells) {
        let c = colour(p.colour);
        let mut chart = ChartBuilder::on(cell)
            .caption(&p.name, (FAMILY, 14).into_font().color(&c))
            .margin(6)
            .x_label_area_size(24)
            .y_label_area_size(34)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_labels(4)
            .y_labels(5)
            .x_label_formatter(&clock)
            .y_label_formatter(&numbers)
            .label_style((FAMILY, 11))
            .light_line_style(GRID)
            .draw()?;
        for run in runs(&p.band, step) {
            let outline: Vec<(f64, f64)> = run
                .iter()
                .flat_map(|q| [(q.0, q.2), (q.0 + step, q.2)])
                .chain(
                    run.iter()
                        .rev()
                        .flat_map(|q| [(q.0 + step, q.1), (q.0, q.1)]),
                )
                .filter_map(|q| fit.point(q))
                .collect();
            chart.draw_series([Polygon::new(outline, c.mix(0.22).filled())])?;
        }
        let line: Vec<(f64, f64, f64)> = p.line.iter().map(|q| (q.0, q.1, q.1)).collect();
        for run in runs(&line, step) {
            let path: Vec<(f64, f64)> = run
                .iter()
                .flat_map(|q| [(q.0, q.1), (q.0 + step, q.1)])
                .filter_map(|q| fit.point(q))
                .collect();
            chart.draw_series(LineSeries::new(path, c.stroke_width(2)))?;
        }
        if let Some(at) = horizontal.and_then(|g| fit.y(g.at)) {
            guide(&mut chart, (x0, at), (x1, at))?;
        }
        for at in vertical.iter().filter_map(|g| fit.x(g.at)) {
            guide(&mut chart, (at, y0), (at, y1))?;
        }
        let mut labels = Labels::new(plot_bounds(&chart));
        if let Some(&(x, y)) = p
            .line
            .iter()
            .filter(|q| q.1.is_finite() && q.1 > y1)
            .max_by(|a, b| a.1.total_cmp(&b.1))
        {
            let at = chart.backend_coord(&((x + step / 2.0).clamp(x0, x1), y1));
            clip_mark(
                root,
                &mut labels,
                at,
                (0, -1),
                &clipped_value(y, unit_of(&f.y_label)),
                c,
            )?;
        }
    }
    Ok(())
}

/// Runs of adjacent intervals (each starting where the last ended) of `(x, a, b)` values.
fn runs(values: &[(f64, f64, f64)], step: f64) -> Vec<Vec<(f64, f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    for &v in values
        .iter()
        .filter(|v| !v.0.is_nan() && !v.1.is_nan() && !v.2.is_nan())
    {
        match out.last_mut() {
            Some(run)
                if run
                    .last()
                    .is_some_and(|l| (v.0 - l.0 - step).abs() <= step * 1e-6) =>
            {
                run.push(v)
            }
            _ => out.push(vec![v]),
        }
    }
    out
}

/// The plotting area's pixel box (left, top, right, bottom) on the backend.
fn plot_bounds<DB: DrawingBackend>(chart: &ChartContext<'_, DB, Xy>) -> (i32, i32, i32, i32) {
    let (x, y) = chart.plotting_area().get_pixel_range();
    (x.start, y.start, x.end, y.end)
}

/// Strip plot: a row per entry (first at the top), each value a dot jittered up and down in its
/// row so that equal days do not hide each other, over the box of its middle half.
fn strips<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    f: &Figure,
    rows: &[Strip],
    vertical: Option<&Guide>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let n = rows.len().max(1);
    let fit = Fit {
        x: view_or(
            f.view.x,
            range(
                rows.iter()
                    .flat_map(|r| r.values.iter().copied())
                    .chain(vertical.map(|g| g.at)),
                true,
            ),
        ),
        y: (-0.5, n as f64 - 0.5),
    };
    let (x0, x1) = fit.x;
    let names: Vec<String> = rows.iter().rev().map(|r| r.name.clone()).collect();
    let widest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size((widest as u32 * 8 + 16).clamp(60, 260))
        .build_cartesian_2d(x0..x1, -0.5..n as f64 - 0.5)?;
    let name = |v: &f64| category(&names, *v);
    axes(
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .x_label_formatter(&numbers)
            .y_label_formatter(&name),
        f,
    )?;
    let mut labels = Labels::new(plot_bounds(&chart));
    if let Some(g) = vertical
        && let Some(at) = fit.x(g.at)
    {
        guide(&mut chart, (at, -0.5), (at, n as f64 - 0.5))?;
    }
    for (i, row) in rows.iter().enumerate() {
        let yc = (n - 1 - i) as f64;
        let c = colour(row.colour);
        let finite: Vec<f64> = row
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let quartile = |q| lab::stats::quantile(&finite, q);
        if let (Some(q1), Some(q2), Some(q3)) = (quartile(0.25), quartile(0.5), quartile(0.75)) {
            let (Some(a), Some(b), Some(m)) = (fit.x(q1), fit.x(q3), fit.x(q2)) else {
                continue;
            };
            chart.draw_series([Rectangle::new(
                [(a, yc - 0.3), (b, yc + 0.3)],
                RGBColor(215, 215, 215).filled(),
            )])?;
            chart.draw_series([PathElement::new(
                vec![(m, yc - 0.34), (m, yc + 0.34)],
                RGBColor(60, 60, 60).stroke_width(2),
            )])?;
        }
        let mut beyond: Option<f64> = None;
        for (k, v) in row.values.iter().enumerate() {
            let Some(x) = fit.x(*v) else { continue };
            if *v > x1 {
                beyond = Some(beyond.map_or(*v, |b: f64| b.max(*v)));
                continue;
            }
            // A fixed low-discrepancy jitter: the same picture every time.
            let jitter = ((k as f64 * 0.618_033_988_75).fract() - 0.5) * 0.44;
            chart.draw_series([Circle::new((x, yc + jitter), 3, c.mix(0.85).filled())])?;
        }
        if let Some(v) = beyond {
            let at = chart.backend_coord(&(x1, yc));
            clip_mark(
                root,
                &mut labels,
                at,
                (1, 0),
                &clipped_value(v, unit_of(&f.x_label)),
                c,
            )?;
        }
    }
    Ok(())
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

/// An x value as `axis` writes it: a number, or the clock time `v` hours after the start.
fn x_value(axis: XAxis, v: f64) -> String {
    match axis {
        XAxis::Number => axis_number(v),
        XAxis::Clock { shift_h } => {
            let minutes = ((v + shift_h) * 60.0).round().rem_euclid(24.0 * 60.0) as i64;
            format!("{:02}:{:02}", minutes / 60, minutes % 60)
        }
    }
}

/// [`axis_number`] as plotters' label formatters take it.
fn numbers(v: &f64) -> String {
    axis_number(*v)
}

/// A number under an axis: no trailing zeros, thousands grouped with commas ("60,000",
/// "2.5", "0.05").
pub fn axis_number(v: f64) -> String {
    let plain = tick(v);
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (whole, fraction) = rest
        .split_once('.')
        .map_or((rest, None), |(w, f)| (w, Some(f)));
    if whole.len() <= 4 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return plain;
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
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
    (x_labels, y_labels): (&[String], &[String]),
    cells: &[Vec<Option<f64>>],
    decimals: usize,
    (threshold, shared): (Option<&Guide>, Option<(f64, f64)>),
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
    let (lo, hi) = match shared {
        Some((a, b)) if a.is_finite() && b.is_finite() && a <= b => {
            let (a, b) = (
                a.clamp(-AXIS_LIMIT, AXIS_LIMIT),
                b.clamp(-AXIS_LIMIT, AXIS_LIMIT),
            );
            widen(a, b.max(a + 1e-12))
        }
        _ if lo.is_finite() => widen(lo, hi.max(lo + 1e-12)),
        _ => (0.0, 1.0),
    };
    let decimals = decimals.min(MAX_DECIMALS);
    let at = |v: f64| ramp((v - lo) / (hi - lo));
    let mut chart = ChartBuilder::on(&main)
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
        let lines = wrap(&g.label, 11).len().max(1) as i32;
        scale.draw(&Rectangle::new(
            [(2, top - 4), (SCALE_WIDTH as i32 - 4, top + lines * 15 + 2)],
            LEGEND_FRAME.stroke_width(1),
        ))?;
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
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = BLACK.mix(0.7).stroke_width(2);
    chart.draw_series(DashedLineSeries::new(vec![a, b], 6, 6, style))?;
    Ok(())
}

/// A chart over `x` × `y` on `area` (under the title, left of the legend), with room for the
/// axes' labels.
fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: Range<f64>,
    y: Range<f64>,
) -> Result<ChartContext<'a, DB, Xy>, DrawingAreaErrorKind<DB::ErrorType>> {
    ChartBuilder::on(area)
        .margin(12)
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
        .light_line_style(GRID)
        .draw()
}

/// Where a chart drawn by this module puts its legend against its data, read back from the SVG:
/// `Err` names a legend frame (a rectangle stroked [`LEGEND_FRAME`]) that meets the plotting
/// area (the extent of the grid's light lines, or of a heat map's cells), or a chart that has a
/// legend entry but no frame. What the tests hold every chart kind to.
pub fn legend_clear_of_data(svg: &str, legend_entries: usize) -> Result<(), String> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let from = tag.find(&key)? + key.len();
        Some(tag[from..].split('"').next()?.to_string())
    };
    let num = |tag: &str, name: &str| attr(tag, name).and_then(|v| v.parse::<f64>().ok());
    let frame = format!(
        "#{:02X}{:02X}{:02X}",
        LEGEND_FRAME.0, LEGEND_FRAME.1, LEGEND_FRAME.2
    );
    let grid = format!("#{:02X}{:02X}{:02X}", GRID.0, GRID.1, GRID.2);
    let mut area: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut frames = Vec::new();
    let mut cells = Vec::new();
    for tag in svg.split('<').skip(1) {
        if tag.starts_with("line ") && attr(tag, "stroke").as_deref() == Some(grid.as_str()) {
            if let (Some(x1), Some(y1), Some(x2), Some(y2)) = (
                num(tag, "x1"),
                num(tag, "y1"),
                num(tag, "x2"),
                num(tag, "y2"),
            ) {
                area.push((x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)));
            }
        } else if tag.starts_with("rect ") {
            let (Some(x), Some(y), Some(w), Some(h)) = (
                num(tag, "x"),
                num(tag, "y"),
                num(tag, "width"),
                num(tag, "height"),
            ) else {
                continue;
            };
            if attr(tag, "stroke").as_deref() == Some(frame.as_str()) {
                frames.push((x, y, x + w, y + h));
            } else if attr(tag, "fill").is_some_and(|f| f != "none" && f != "#FFFFFF") {
                cells.push((x, y, x + w, y + h));
            }
        }
    }
    if area.is_empty() {
        // A heat map draws no grid: its plotting area is its cells, the colour scale aside.
        let width = num(svg.split('<').nth(1).unwrap_or(""), "width").unwrap_or(f64::INFINITY);
        area.extend(
            cells
                .iter()
                .filter(|c| c.0 < width - f64::from(SCALE_WIDTH)),
        );
    }
    let (l, t, r, b) = area.iter().fold(
        (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ),
        |(l, t, r, b), a| (l.min(a.0), t.min(a.1), r.max(a.2), b.max(a.3)),
    );
    if !l.is_finite() {
        return Err("no plotting area found (no grid line, no cell)".into());
    }
    if legend_entries > 0 && frames.is_empty() {
        return Err(format!(
            "{legend_entries} legend entries but no legend frame"
        ));
    }
    for f in &frames {
        if f.0 < r && l < f.2 && f.1 < b && t < f.3 {
            return Err(format!(
                "the legend at ({}, {})–({}, {}) meets the plotting area ({l}, {t})–({r}, {b})",
                f.0, f.1, f.2, f.3
            ));
        }
    }
    Ok(())
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
            step: None,
        };
        Figure {
            x_axis: XAxis::Number,
            view: View::default(),
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
            x_axis: XAxis::Number,
            view: View::default(),
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
                scale: None,
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
    fn a_legend_on_the_data_is_caught() {
        let grid = r##"<svg width="960" height="540"><line opacity="1" stroke="#EBEBEB" x1="88" y1="475" x2="88" y2="45"/><line opacity="1" stroke="#EBEBEB" x1="740" y1="475" x2="740" y2="45"/>"##;
        let frame = |x: u32| {
            format!(
                r##"<rect x="{x}" y="50" width="146" height="136" opacity="1" fill="none" stroke="#B4B4B4"/></svg>"##
            )
        };
        assert!(legend_clear_of_data(&format!("{grid}{}", frame(600)), 3).is_err());
        assert!(legend_clear_of_data(&format!("{grid}{}", frame(760)), 3).is_ok());
        assert!(
            legend_clear_of_data(&format!("{grid}</svg>"), 3).is_err(),
            "no frame"
        );
        assert!(legend_clear_of_data(&format!("{grid}</svg>"), 0).is_ok());
    }

    /// Every kind of plot, drawn from ordinary values: its legend sits beside the data.
    #[test]
    fn no_legend_covers_the_data_of_any_kind_of_chart() {
        let mut figures = extreme_figures(&[0.5, 2.0, 3.5, 1.0]);
        figures.push(sample_lines());
        figures.push(sample_heat_map(&["1", "2", "3"], &["a", "b"]));
        let mut kinds = Vec::new();
        for f in &figures {
            let svg = render_svg(f, SIZE).unwrap();
            legend_clear_of_data(&svg, f.legend().len())
                .unwrap_or_else(|e| panic!("{}: {e}", f.id));
            kinds.push(std::mem::discriminant(&f.plot));
        }
        kinds.dedup();
        kinds.sort_by_key(|k| format!("{k:?}"));
        kinds.dedup();
        assert_eq!(kinds.len(), 7, "every kind of plot is drawn");
    }

    #[test]
    fn axis_numbers_group_thousands_and_drop_trailing_zeros() {
        assert_eq!(axis_number(60_000.0), "60,000");
        assert_eq!(axis_number(1_234_567.5), "1,234,567.5");
        assert_eq!(axis_number(2500.0), "2500");
        assert_eq!(axis_number(-12_000.0), "-12,000");
        assert_eq!(axis_number(0.30000000000000004), "0.3");
        assert_eq!(axis_number(3.0), "3");
    }

    #[test]
    fn a_strategy_keeps_its_kind_colour_whatever_the_order() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = strategy_colours(&names(&["Progressive(poll 1s)", "Predictive(target 0.03)"]));
        let b = strategy_colours(&names(&["Predictive(target 0.03)", "Progressive(poll 1s)"]));
        assert_eq!((a[0], a[1]), (b[1], b[0]));
        assert_eq!(strategy_colours(&names(&["AsWritten(poll 5s)"])), [7]);
        // Two of one kind: the second takes a colour no kind of the list claims.
        let two = strategy_colours(&names(&[
            "Adaptive(HardLimit)",
            "Adaptive(Average)",
            "Progressive",
        ]));
        assert_eq!(two[0], 4);
        assert!(two[1] != 4 && two[1] != 0, "{two:?}");
        assert_eq!(two[2], 0);
    }

    #[test]
    fn clock_axes_write_the_local_time() {
        let at = |shift_h, v| x_value(XAxis::Clock { shift_h }, v);
        assert_eq!(at(9.0, 0.0), "09:00");
        assert_eq!(at(9.0, 1.5), "10:30");
        assert_eq!(at(-5.0 + 14.0, 8.25), "17:15");
        assert_eq!(at(22.0, 3.0), "01:00", "past midnight");
        assert_eq!(at(-6.0, 0.0), "18:00", "a start before midnight local time");
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
            x_axis: XAxis::Number,
            view: View::default(),
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
                discrete: false,
            },
        };
        let svg = render_svg(&f, SIZE).unwrap();
        assert!(svg.matches("<polygon").count() >= 2, "a band per series");
        assert!(svg.matches("<polyline").count() >= 2, "a line per series");
        for text in ["Progressive", "FixedRatio", "cap 3%", "agents"] {
            assert!(svg.contains(text), "SVG lacks {text:?}");
        }
        assert_eq!(
            f.legend(),
            vec!["Progressive", "FixedRatio", "95% interval", "cap 3%"]
        );
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
            x_axis: XAxis::Number,
            view: View::default(),
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
            step: dashed.then_some(0.5),
        };
        let mut figures = vec![
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
                            label: Some("w".into()),
                            chosen: a > b,
                        })
                        .collect(),
                    joined: true,
                    vertical: vec![Guide {
                        at: at(0),
                        label: "cap".into(),
                    }],
                    ringed: "chosen".into(),
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
                    discrete: v.len() > 4,
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
                    scale: Some((at(2), at(0))),
                },
            ),
            figure(
                "strips",
                Plot::Strips {
                    rows: vec![
                        Strip {
                            name: "a".into(),
                            values: v.to_vec(),
                            colour: 3,
                        },
                        Strip {
                            name: "b".into(),
                            values: vec![],
                            colour: 4,
                        },
                    ],
                    vertical: Some(Guide {
                        at: at(1),
                        label: "cap".into(),
                    }),
                },
            ),
            figure(
                "panels",
                Plot::Panels {
                    panels: (0..5)
                        .map(|k| Panel {
                            name: format!("p{k}"),
                            colour: k,
                            line: pairs.clone(),
                            band: pairs.iter().map(|&(a, b)| (a, b, a)).collect(),
                        })
                        .collect(),
                    step: at(1).abs().max(1e-3),
                    line_means: "pooled".into(),
                    band_means: "spread".into(),
                    horizontal: Some(Guide {
                        at: at(0),
                        label: "cap".into(),
                    }),
                    vertical: vec![Guide {
                        at: at(2),
                        label: "window".into(),
                    }],
                },
            ),
        ];
        // The same plots zoomed to a part of the values and on a clock: what is outside is
        // marked at the edge.
        let zoomed: Vec<Figure> = figures
            .iter()
            .map(|f| Figure {
                id: format!("{}-zoomed", f.id),
                view: View {
                    x: Some((at(0), at(1))),
                    y: Some((at(1).min(at(2)), at(2).max(at(1)))),
                },
                x_axis: XAxis::Clock { shift_h: at(2) },
                ..f.clone()
            })
            .collect();
        figures.extend(zoomed);
        figures
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
