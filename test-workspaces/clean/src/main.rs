//! `clean` scenario: every kind of dependency, all of them allowed.

#[derive(derivehelper::Describe)]
struct Report;

fn main() {
    let roll = tinyrand::below(42, 6) + 1;
    let words = [Report::describe().to_string(), legacyslash::kebab("all_clear"), roll.to_string()];
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    println!("{}", smallfmt::pad_left(&smallfmt::join(&refs, " "), 40));
    println!("build note: {}", env!("CLEAN_BUILD_NOTE"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn approx() {
        assert!(devonly::approx_eq(0.1 + 0.2, 0.3, 1e-9));
    }
}
