//! The 18-character citizen ID number (GB 11643): checksum, embedded birth date and gender.
//! Pure functions; used by import validation and by the demo generator to make valid numbers.

use super::date::PartialDate;
use super::vocab::Gender;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号应为 18 位（现为 {0} 位）")]
    Length(usize),
    #[error("身份证号只能含数字，末位可为 X")]
    Characters,
    #[error("身份证号校验码错误（应为 {expected}）")]
    Checksum { expected: char },
    #[error("身份证号中的出生日期 {0} 不存在")]
    BadBirth(String),
    #[error("身份证号中的出生日期 {in_id} 与出生年月 {given} 不符")]
    BirthMismatch { in_id: String, given: String },
    #[error("身份证号表明性别为{in_id}，与登记的性别{given}不符")]
    GenderMismatch {
        in_id: &'static str,
        given: &'static str,
    },
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

/// Validates an ID number on its own; returns the birth date and gender it encodes.
pub fn parse(id: &str) -> Result<(PartialDate, Gender), IdNumberError> {
    let b = id.as_bytes();
    if id.chars().count() != 18 {
        return Err(IdNumberError::Length(id.chars().count()));
    }
    if !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
    {
        return Err(IdNumberError::Characters);
    }
    let expected = check_char(&b[..17]);
    if b[17].to_ascii_uppercase() as char != expected {
        return Err(IdNumberError::Checksum { expected });
    }
    let digits = &id[6..14];
    let birth = PartialDate::ymd(
        digits[..4].parse().unwrap_or(0),
        digits[4..6].parse().unwrap_or(0),
        digits[6..].parse().unwrap_or(0),
    )
    .map_err(|_| IdNumberError::BadBirth(digits.to_string()))?;
    let gender = if (b[16] - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok((birth, gender))
}

/// Validates an ID number against the dossier's birth date (at its precision) and gender.
pub fn validate(id: &str, birth: &PartialDate, gender: Gender) -> Result<(), IdNumberError> {
    let (in_id, g) = parse(id)?;
    let agrees = in_id.y() == birth.y()
        && birth.m().is_none_or(|m| Some(m) == in_id.m())
        && birth.d().is_none_or(|d| Some(d) == in_id.d());
    if !agrees {
        return Err(IdNumberError::BirthMismatch {
            in_id: in_id.to_string(),
            given: birth.to_string(),
        });
    }
    if g != gender {
        return Err(IdNumberError::GenderMismatch {
            in_id: g.label(),
            given: gender.label(),
        });
    }
    Ok(())
}

/// Builds a valid ID number from a 6-digit region code, a full birth date and a sequence
/// number (its parity is set from the gender).
pub fn make(region: u32, birth: (i16, u8, u8), seq: u16, gender: Gender) -> String {
    let mut seq = seq % 1000;
    let odd = seq % 2 == 1;
    if odd != (gender == Gender::Male) {
        seq = if seq == 999 { 998 } else { seq + 1 };
    }
    let first17 = format!(
        "{:06}{:04}{:02}{:02}{:03}",
        region % 1_000_000,
        birth.0,
        birth.1,
        birth.2,
        seq
    );
    let c = check_char(first17.as_bytes());
    format!("{first17}{c}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_number() {
        // The GB 11643 worked example.
        assert_eq!(check_char(b"11010519491231002"), 'X');
        let (birth, g) = parse("11010519491231002X").unwrap();
        assert_eq!(birth, PartialDate::ymd(1949, 12, 31).unwrap());
        assert_eq!(g, Gender::Female);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(parse("123"), Err(IdNumberError::Length(3)));
        assert_eq!(
            parse("110105194912310021"),
            Err(IdNumberError::Checksum { expected: 'X' })
        );
        let made = make(330102, (1975, 3, 8), 41, Gender::Male);
        assert!(parse(&made).is_ok());
        assert!(validate(&made, &PartialDate::ym(1975, 3).unwrap(), Gender::Male).is_ok());
        assert!(matches!(
            validate(&made, &PartialDate::ym(1975, 4).unwrap(), Gender::Male),
            Err(IdNumberError::BirthMismatch { .. })
        ));
        assert!(matches!(
            validate(&made, &PartialDate::ym(1975, 3).unwrap(), Gender::Female),
            Err(IdNumberError::GenderMismatch { .. })
        ));
    }
}
