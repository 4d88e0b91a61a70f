//! The crate's `sys` module against the C headers it mirrors,
//! `include/uapi/linux/ipn.h` and `ipn_diag.h`: a generated C file asserts every constant's
//! value and every structure's size and field offsets, and must compile;
//! and every constant the header defines must be in `sys`.  Runs on the
//! host, without the kernel module (as the libc crate's ctest does).

use std::path::PathBuf;
use std::process::Command;

fn header_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../include/uapi")
}

#[test]
fn sys_matches_the_header() {
    let mut c = String::from("#include <stddef.h>\n#include <asm/socket.h>\n#include <linux/sock_diag.h>\n#include <linux/ipn.h>\n#include <linux/ipn_diag.h>\n");
    for (name, value) in ipn::sys::CONSTANTS {
        c += &format!(
            "_Static_assert((long long)({name}) == {value}LL, \"{name} is {value} in sys.rs\");\n"
        );
    }
    for l in ipn::sys::LAYOUTS {
        let (name, size) = (l.name, l.size);
        c += &format!("_Static_assert(sizeof(struct {name}) == {size}, \"sizeof {name}\");\n");
        for (field, off) in l.fields {
            c += &format!(
                "_Static_assert(offsetof(struct {name}, {field}) == {off}, \"{name}.{field}\");\n"
            );
        }
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let src = dir.join("ipn_sys_check.c");
    std::fs::write(&src, c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=c11", "-fsyntax-only", "-Werror", "-I"])
        .arg(header_dir())
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("running {cc}: {e}"));
    assert!(
        out.status.success(),
        "sys.rs disagrees with <linux/ipn.h>:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of both headers.
fn headers() -> String {
    ["linux/ipn.h", "linux/ipn_diag.h"]
        .iter()
        .map(|h| std::fs::read_to_string(header_dir().join(h)).unwrap())
        .collect()
}

#[test]
fn every_constant_of_the_header_is_in_sys() {
    let header = headers();
    let known: Vec<&str> = ipn::sys::CONSTANTS.iter().map(|(n, _)| *n).collect();
    // Macros, and the members of enums (a tab, a name, a comma).
    let defines = header
        .lines()
        .filter_map(|l| l.strip_prefix("#define"))
        .filter_map(|l| l.split_whitespace().next());
    let members = header
        .lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|w| w.strip_suffix(','))
        .filter(|w| w.starts_with("IPN_"));
    let missing: Vec<&str> = defines
        .chain(members)
        .filter(|name| !name.starts_with('_') && !name.contains('('))
        .filter(|name| !known.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "constants of <linux/ipn.h> missing from sys.rs: {missing:?}"
    );
}

#[test]
fn every_structure_of_the_header_is_in_sys() {
    let header = headers();
    let known: Vec<&str> = ipn::sys::LAYOUTS.iter().map(|l| l.name).collect();
    let missing: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix("struct "))
        .filter(|l| l.trim_end().ends_with('{'))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| !known.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "structures of <linux/ipn.h> missing from sys.rs: {missing:?}"
    );
}
