fn main() {
    println!("{}", smallfmt::pad_left(&btool::name(), 8));
}
