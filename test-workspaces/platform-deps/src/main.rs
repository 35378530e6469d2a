//! `platform-deps` scenario: a graph for the advisory tests.

fn main() {
    let header = vulnlib::parse_header("key=value");
    println!("{:?}", header);
    println!("{}", smallfmt::pad_left("x", 3));
    println!("{}", oldlib::double(21));
    println!("{}", unsoundlib::byte_sum(unsoundlib::prefix(b"abc", 2)));
    println!("{}", withdrawnlib::c_to_f(100.0));
    println!("{} {}", multirange::in_any(5, &[(1, 10)]), multirange3::MAJOR);
    println!("{}", yankedlib::sum8(b"abc"));
    #[cfg(windows)]
    println!("{}", winonly::to_backslashes("a/b"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn contains() {
        assert!(devonly::contains_all("abc", &["a", "c"]));
    }
}
