"""Windows Calculator in Standard, Scientific and Programmer modes."""

from __future__ import annotations

from bench_tui.demo.kit import (
    button,
    desktop,
    item,
    muted,
    text,
    window,
)
from bench_tui.demo.screens import ACCENT, WHITE, Box, Widget
from bench_tui.demo.script import Template, answer, click, key, typed

CALC_WIN: Box = (440, 36, 840, 724)
STANDARD_KEYS = (
    ("k_percent", "%"), ("k_ce", "CE"), ("k_c", "C"), ("k_back", "Del"),
    ("k_inv", "1/x"), ("k_sq", "x^2"), ("k_sqrt", "sqrt"), ("k_div", "/"),
    ("k7", "7"), ("k8", "8"), ("k9", "9"), ("k_mul", "x"),
    ("k4", "4"), ("k5", "5"), ("k6", "6"), ("k_sub", "-"),
    ("k1", "1"), ("k2", "2"), ("k3", "3"), ("k_add", "+"),
    ("k_neg", "+/-"), ("k0", "0"), ("k_dot", "."), ("k_eq", "="),
)  # fmt: skip
PROGRAMMER_KEYS = (
    ("k_a", "A"), ("k_lsh", "<<"), ("k_rsh", ">>"), ("k_c", "C"), ("k_back", "Del"),
    ("k_b", "B"), ("k_lp", "("), ("k_rp", ")"), ("k_mod", "%"), ("k_div", "/"),
    ("k_c2", "C"), ("k7", "7"), ("k8", "8"), ("k9", "9"), ("k_mul", "x"),
    ("k_d", "D"), ("k4", "4"), ("k5", "5"), ("k6", "6"), ("k_sub", "-"),
    ("k_e", "E"), ("k1", "1"), ("k2", "2"), ("k3", "3"), ("k_add", "+"),
    ("k_f", "F"), ("k_neg", "+/-"), ("k0", "0"), ("k_dot", "."), ("k_eq", "="),
)  # fmt: skip
SCIENTIFIC_KEYS = (
    ("k_2nd", "2nd"), ("k_pi", "pi"), ("k_e", "e"), ("k_c", "C"), ("k_back", "Del"),
    ("k_sq", "x^2"), ("k_inv", "1/x"), ("k_abs", "|x|"), ("k_exp", "exp"), ("k_mod", "mod"),
    ("k_sqrt", "sqrt"), ("k_lp", "("), ("k_rp", ")"), ("k_fact", "n!"), ("k_div", "/"),
    ("k_pow", "x^y"), ("k7", "7"), ("k8", "8"), ("k9", "9"), ("k_mul", "x"),
    ("k_10x", "10^x"), ("k4", "4"), ("k5", "5"), ("k6", "6"), ("k_sub", "-"),
    ("k_log", "log"), ("k1", "1"), ("k2", "2"), ("k3", "3"), ("k_add", "+"),
    ("k_ln", "ln"), ("k_neg", "+/-"), ("k0", "0"), ("k_dot", "."), ("k_eq", "="),
)  # fmt: skip


def calculator(
    display: str,
    expression: str = "",
    *,
    mode: str = "Standard",
    menu: bool = False,
    radix: tuple[str, ...] = (),
) -> list[Widget]:
    widgets = desktop("calc") + window("Calculator", CALC_WIN, body=(243, 243, 243))
    widgets += [
        button("nav_menu", (450, 74, 490, 104), "="),
        text(502, 76, mode, 20),
        Widget("display", (450, 116, 830, 136), expression, size=16, color=(96, 96, 96)),
        Widget("display", (450, 142, 830, 200), display, size=46),
    ]
    keys, columns = {
        "Standard": (STANDARD_KEYS, 4),
        "Scientific": (SCIENTIFIC_KEYS, 5),
        "Programmer": (PROGRAMMER_KEYS, 5),
    }[mode]
    top = 262
    if radix:
        for index, line in enumerate(radix):
            widgets.append(text(462, 212 + index * 22, line, 13, ACCENT if index == 1 else None))
        top = 306
    elif mode == "Standard":
        widgets.append(muted(462, 226, "MC      MR      M+      M-      MS      M", 12))
    rows = len(keys) // columns
    key_w = (384 - (columns - 1) * 4) // columns
    key_h = (712 - top - (rows - 1) * 4) // rows
    for index, (name, label) in enumerate(keys):
        col, row = index % columns, index // columns
        x, y = 448 + col * (key_w + 4), top + row * (key_h + 4)
        digit = label.isdigit() or label in (".", "+/-")
        colour = ACCENT if name == "k_eq" else (WHITE if digit else None)
        widgets.append(
            Widget(
                "key",
                (x, y, x + key_w, y + key_h),
                label,
                name=name,
                role="button",
                color=colour,
                size=18 if digit else 15,
            )
        )
    if menu:
        widgets.append(Widget("popup", (442, 106, 720, 560)))
        labels = (
            "Standard",
            "Scientific",
            "Graphing",
            "Programmer",
            "Date calculation",
            "Currency",
            "Volume",
            "Length",
            "Weight and mass",
            "Temperature",
        )
        for index, label in enumerate(labels):
            y = 112 + index * 44
            widgets.append(
                item(
                    f"item_{label.split()[0].lower()}",
                    (444, y, 718, y + 40),
                    label,
                    on=label == mode,
                )
            )
    return widgets


def screens() -> dict[str, list[Widget]]:
    programmer = calculator("0", mode="Programmer", radix=("HEX  0", "DEC  0", "OCT  0", "BIN  0"))
    return {
        "ca_zero": calculator("0"),
        "ca_1": calculator("1"),
        "ca_12": calculator("12"),
        "ca_12x": calculator("12", "12 x"),
        "ca_12x7": calculator("7", "12 x"),
        "ca_84": calculator("84", "12 x 7 ="),
        "ca_6912": calculator("6,912", "1234 + 5678 ="),
        "ca_144": calculator("144"),
        "ca_sqrt12": calculator("12", "sqrt(144)"),
        "ca_menu": calculator("0", menu=True),
        "ca_scientific": calculator("0", mode="Scientific"),
        "ca_programmer": programmer,
        "ca_programmer_255": calculator(
            "255", mode="Programmer", radix=("HEX  FF", "DEC  255", "OCT  377", "BIN  1111 1111")
        ),
    }


TEMPLATES = (
    Template(
        "windows_calc_multiply",
        "windows_calc",
        "Use Calculator to compute 12 x 7 and report the result.",
        (
            ("ca_zero", click("k1", "Enter 12 with the keypad: 1.")),
            ("ca_1", click("k2", "Then 2.")),
            ("ca_12", click("k_mul", "Multiply.")),
            ("ca_12x", click("k7", "Enter 7.")),
            ("ca_12x7", click("k_eq", "Press equals.")),
            ("ca_84", answer("84", "The display shows 84.")),
        ),
        "ca_84",
        "exact_match",
        "answer '84' matches",
        "answer does not match '84'",
        partial=True,
    ),
    Template(
        "windows_calc_typed_sum",
        "windows_calc",
        "Compute 1234 + 5678 in Calculator and leave the result on the display.",
        (
            (
                "ca_zero",
                typed("1234+5678=", "Calculator accepts keyboard input; type the whole sum."),
            ),
        ),
        "ca_6912",
        "check_calc_display",
        "display shows 6,912",
        "display shows 0",
    ),
    Template(
        "windows_calc_scientific",
        "windows_calc",
        "Switch Calculator to Scientific mode.",
        (
            ("ca_zero", click("nav_menu", "Modes are in the navigation menu.")),
            ("ca_menu", click("item_scientific", "Choose Scientific.")),
        ),
        "ca_scientific",
        "check_calc_mode",
        "mode is Scientific",
        "mode is Standard",
    ),
    Template(
        "windows_calc_sqrt",
        "windows_calc",
        "Find the square root of 144 with Calculator and report it.",
        (
            ("ca_zero", typed("144", "Type 144.")),
            ("ca_144", click("k_sqrt", "Apply the square root key.")),
            ("ca_sqrt12", answer("12", "The display shows 12.")),
        ),
        "ca_sqrt12",
        "exact_match",
        "answer '12' matches",
        "answer does not match '12'",
    ),
    Template(
        "windows_calc_copy_result",
        "windows_calc",
        "Copy the result shown in Calculator to the clipboard.",
        (("ca_84", key("c", "Ctrl+C copies the displayed value.", "ctrl")),),
        "ca_84",
        "check_clipboard",
        "clipboard holds '84'",
        "clipboard is empty",
    ),
    Template(
        "windows_calc_hex",
        "windows_calc",
        "Convert 255 to hexadecimal using Calculator's Programmer mode and report the value.",
        (
            ("ca_zero", click("nav_menu", "Programmer mode is in the navigation menu.")),
            ("ca_menu", click("item_programmer", "Choose Programmer.")),
            ("ca_programmer", typed("255", "Enter 255 in decimal.")),
            ("ca_programmer_255", answer("FF", "The HEX row shows FF.")),
        ),
        "ca_programmer_255",
        "exact_match",
        "answer 'FF' matches",
        "answer does not match 'FF'",
        partial=True,
    ),
)
