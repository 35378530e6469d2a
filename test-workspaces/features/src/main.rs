//! `features` scenario: a product whose dependencies exercise cargo's feature resolution.

fn main() {
    println!("{} {}", fcore::name(), fnet::name());
    println!("{}", fmacro::answer!());
}

#[cfg(test)]
mod tests {
    #[test]
    fn approx() {
        assert!(devonly::approx_eq(1.0, 1.0, 0.1));
    }
}
