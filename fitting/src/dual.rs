//! Second-order forward-mode differentiation in two variables.
//!
//! Every likelihood in this crate is written once, generically over [`Dual2`]: evaluating it with
//! the (at most two) log-parameters seeded as variables yields the value, the exact gradient and
//! the exact Hessian in one pass. Newton's method and the observed information then need no
//! finite differences, whose step-size trade-off would otherwise cost digits in the standard
//! errors compared against lifelines (which differentiates exactly too).

use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

/// A value with its gradient and Hessian with respect to two variables.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Dual2 {
    pub(crate) value: f64,
    pub(crate) gradient: [f64; 2],
    pub(crate) hessian: [[f64; 2]; 2],
}

impl Dual2 {
    pub(crate) const fn constant(value: f64) -> Self {
        Self {
            value,
            gradient: [0.0; 2],
            hessian: [[0.0; 2]; 2],
        }
    }

    /// The `index`-th variable (0 or 1) at `value`.
    pub(crate) fn variable(value: f64, index: usize) -> Self {
        let mut gradient = [0.0; 2];
        gradient[index] = 1.0;
        Self {
            value,
            gradient,
            hessian: [[0.0; 2]; 2],
        }
    }

    /// Applies a scalar function f given f(x), f'(x) and f''(x) at x = `self.value`.
    pub(crate) fn chain(self, f: f64, df: f64, d2f: f64) -> Self {
        let g = self.gradient;
        let mut hessian = [[0.0; 2]; 2];
        for (i, row) in hessian.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell = df * self.hessian[i][j] + d2f * g[i] * g[j];
            }
        }
        Self {
            value: f,
            gradient: [df * g[0], df * g[1]],
            hessian,
        }
    }

    pub(crate) fn exp(self) -> Self {
        let e = self.value.exp();
        self.chain(e, e, e)
    }

    pub(crate) fn exp_m1(self) -> Self {
        let e = self.value.exp();
        self.chain(self.value.exp_m1(), e, e)
    }

    pub(crate) fn ln(self) -> Self {
        let x = self.value;
        self.chain(x.ln(), 1.0 / x, -1.0 / (x * x))
    }

    pub(crate) fn recip(self) -> Self {
        let x = self.value;
        self.chain(1.0 / x, -1.0 / (x * x), 2.0 / (x * x * x))
    }

    pub(crate) fn square(self) -> Self {
        self * self
    }

    /// ln(1 − eˣ) for x < 0, accurate at both ends (the two branches follow Mächler's note on
    /// computing log(1 − exp(−a))).
    pub(crate) fn ln_one_minus_exp(self) -> Self {
        let x = self.value;
        let f = if x > -std::f64::consts::LN_2 {
            (-x.exp_m1()).ln()
        } else {
            (-x.exp()).ln_1p()
        };
        // d/dx ln(1 − eˣ) = −1/(e^(−x) − 1) = −q; d²/dx² = −q(1 + q).
        let q = 1.0 / (-x).exp_m1();
        self.chain(f, -q, -q * (1.0 + q))
    }

    pub(crate) fn is_finite(self) -> bool {
        self.value.is_finite()
            && self.gradient.iter().all(|g| g.is_finite())
            && self.hessian.iter().flatten().all(|h| h.is_finite())
    }
}

impl Add for Dual2 {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        let mut hessian = self.hessian;
        for (i, row) in hessian.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell += other.hessian[i][j];
            }
        }
        Self {
            value: self.value + other.value,
            gradient: [
                self.gradient[0] + other.gradient[0],
                self.gradient[1] + other.gradient[1],
            ],
            hessian,
        }
    }
}

impl AddAssign for Dual2 {
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl Add<f64> for Dual2 {
    type Output = Self;
    fn add(mut self, c: f64) -> Self {
        self.value += c;
        self
    }
}

impl Add<Dual2> for f64 {
    type Output = Dual2;
    fn add(self, x: Dual2) -> Dual2 {
        x + self
    }
}

impl Neg for Dual2 {
    type Output = Self;
    fn neg(self) -> Self {
        self * -1.0
    }
}

impl Sub for Dual2 {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        self + (-other)
    }
}

impl Sub<f64> for Dual2 {
    type Output = Self;
    fn sub(self, c: f64) -> Self {
        self + (-c)
    }
}

impl Sub<Dual2> for f64 {
    type Output = Dual2;
    fn sub(self, x: Dual2) -> Dual2 {
        -x + self
    }
}

impl Mul for Dual2 {
    type Output = Self;
    fn mul(self, other: Self) -> Self {
        let (a, b) = (self, other);
        let mut hessian = [[0.0; 2]; 2];
        for (i, row) in hessian.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell = a.value * b.hessian[i][j]
                    + b.value * a.hessian[i][j]
                    + a.gradient[i] * b.gradient[j]
                    + b.gradient[i] * a.gradient[j];
            }
        }
        Self {
            value: a.value * b.value,
            gradient: [
                a.value * b.gradient[0] + b.value * a.gradient[0],
                a.value * b.gradient[1] + b.value * a.gradient[1],
            ],
            hessian,
        }
    }
}

impl Mul<f64> for Dual2 {
    type Output = Self;
    fn mul(self, c: f64) -> Self {
        let mut hessian = self.hessian;
        for cell in hessian.iter_mut().flatten() {
            *cell *= c;
        }
        Self {
            value: self.value * c,
            gradient: [self.gradient[0] * c, self.gradient[1] * c],
            hessian,
        }
    }
}

impl Mul<Dual2> for f64 {
    type Output = Dual2;
    fn mul(self, x: Dual2) -> Dual2 {
        x * self
    }
}

impl Div for Dual2 {
    type Output = Self;
    fn div(self, other: Self) -> Self {
        Mul::mul(self, other.recip())
    }
}

impl Div<f64> for Dual2 {
    type Output = Self;
    fn div(self, c: f64) -> Self {
        self * (1.0 / c)
    }
}

impl Div<Dual2> for f64 {
    type Output = Dual2;
    fn div(self, x: Dual2) -> Dual2 {
        Mul::mul(x.recip(), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x, y) = ln(x) · y² + exp(x / y), checked against hand-derived derivatives.
    #[test]
    fn derivatives_of_a_composite_function() {
        let (x0, y0) = (1.3, 0.7);
        let x = Dual2::variable(x0, 0);
        let y = Dual2::variable(y0, 1);
        let f = x.ln() * y.square() + (x / y).exp();
        let e = (x0 / y0).exp();
        let expected_value = x0.ln() * y0 * y0 + e;
        let fx = y0 * y0 / x0 + e / y0;
        let fy = 2.0 * x0.ln() * y0 - e * x0 / (y0 * y0);
        let fxx = -y0 * y0 / (x0 * x0) + e / (y0 * y0);
        let fxy = 2.0 * y0 / x0 - e / (y0 * y0) - e * x0 / (y0 * y0 * y0);
        let fyy = 2.0 * x0.ln() + e * x0 * x0 / y0.powi(4) + 2.0 * e * x0 / y0.powi(3);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * (1.0 + b.abs());
        assert!(close(f.value, expected_value));
        assert!(close(f.gradient[0], fx) && close(f.gradient[1], fy));
        assert!(close(f.hessian[0][0], fxx));
        assert!(close(f.hessian[0][1], fxy) && close(f.hessian[1][0], fxy));
        assert!(close(f.hessian[1][1], fyy));
    }

    #[test]
    fn ln_one_minus_exp_matches_its_definition_and_derivatives() {
        for x0 in [-1e-3, -0.3, -0.7, -5.0] {
            let f = Dual2::variable(x0, 0).ln_one_minus_exp();
            let direct = (1.0 - f64::exp(x0)).ln();
            assert!((f.value - direct).abs() <= 1e-12 * direct.abs());
            let h = 1e-6 * x0.abs();
            let num = ((1.0 - f64::exp(x0 + h)).ln() - (1.0 - f64::exp(x0 - h)).ln()) / (2.0 * h);
            assert!((f.gradient[0] - num).abs() <= 1e-6 * num.abs());
        }
        // Far in the tail ln(1 − eˣ) ≈ −eˣ, which the naive formula rounds to zero.
        let far = Dual2::variable(-40.0, 0).ln_one_minus_exp();
        assert!((far.value + f64::exp(-40.0)).abs() <= 1e-12 * f64::exp(-40.0));
    }
}
