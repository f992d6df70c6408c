//! The 256-byte card text block: any bytes parse to a card or a clear error, never a panic; a
//! parsed card writes back to a block that parses to the same card.
#![no_main]

use drivers::idcard::CardInfo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(card) = CardInfo::parse(data) {
        let _ = format!("{card:?} {card}");
        if let Ok(block) = card.to_block() {
            let again = CardInfo::parse(&block).expect("a written block parses");
            assert_eq!(again.id_number, card.id_number);
            assert_eq!(again.name, card.name);
        }
    }
});
