"""Chrome: a new tab, search results, Chrome settings, and the Sock Shop web store."""

from __future__ import annotations

from bench_tui.demo.kit import (
    button,
    card,
    clip,
    desktop,
    dropdown,
    field,
    fill,
    item,
    link,
    muted,
    primary,
    text,
    toggle,
    window,
)
from bench_tui.demo.screens import BORDER, WHITE, Widget
from bench_tui.demo.script import Act, Template, answer, click, key, typed


def browser(tab: str, url: str, *, focused_url: bool = False) -> list[Widget]:
    widgets = desktop("chrome") + window("")
    widgets += [
        Widget("panel", (90, 40, 330, 68), color=WHITE),
        text(104, 47, clip(tab, 13, 200), 13),
        text(344, 44, "+", 16),
        button("btn_back", (90, 74, 120, 102), "<"),
        button("btn_forward", (124, 74, 154, 102), ">"),
        button("btn_reload", (158, 74, 188, 102), "C"),
        field("urlbar", (198, 72, 1120, 104), url, focused=focused_url),
        button("btn_menu", (1150, 72, 1190, 104), ":"),
        fill((80, 108, 1200, 109), BORDER),
    ]
    return widgets


def newtab(query: str = "", *, menu: bool = False) -> list[Widget]:
    widgets = browser("New Tab", "~Search Google or type a URL")
    widgets += [
        text(548, 220, "G", 56, (66, 133, 244)),
        text(586, 220, "o", 56, (219, 68, 55)),
        text(622, 220, "o", 56, (244, 180, 0)),
        text(658, 220, "g", 56, (66, 133, 244)),
        text(692, 220, "l", 56, (15, 157, 88)),
        text(708, 220, "e", 56, (219, 68, 55)),
        field(
            "search",
            (340, 320, 940, 366),
            query or "~Search Google or type a URL",
            focused=bool(query),
            size=16,
        ),
    ]
    for index, label in enumerate(("Gmail", "YouTube", "Maps", "News", "Sock Shop")):
        x = 360 + index * 116
        widgets.append(
            button(
                f"tile_{label.lower().replace(' ', '_')}", (x, 410, x + 100, 480), label, size=13
            )
        )
    if menu:
        widgets.append(Widget("popup", (900, 104, 1190, 420)))
        labels = (
            "New tab",
            "New window",
            "History",
            "Downloads",
            "Bookmarks and lists",
            "Zoom   100%",
            "Print...",
            "Settings",
            "Help",
            "Exit",
        )
        for index, label in enumerate(labels):
            y = 108 + index * 31
            name = "item_settings" if label == "Settings" else None
            widgets.append(item(name, (902, y, 1188, y + 29), label))
    return widgets


def results() -> list[Widget]:
    widgets = browser(
        "weather in Amsterdam - Google Search", "google.com/search?q=weather+in+Amsterdam"
    )
    widgets += [
        field(None, (120, 124, 720, 160), "weather in Amsterdam"),
        muted(120, 172, "About 48,200,000 results (0.41 seconds)"),
        Widget("panel", (120, 200, 720, 330), color=(248, 250, 253)),
        text(140, 214, "Amsterdam, Netherlands", 16),
        muted(140, 238, "Monday 10:00  |  Light rain"),
        text(140, 262, "12 C", 44),
        muted(300, 270, "Precipitation: 70%   Humidity: 88%   Wind: 21 km/h"),
    ]
    links = (
        "Amsterdam, North Holland weather forecast - weather.example",
        "10-day weather forecast for Amsterdam - forecast.example",
        "Amsterdam weather radar and rain alerts - radar.example",
        "Hourly forecast: Amsterdam Centraal - meteo.example",
    )
    for index, label in enumerate(links):
        y = 350 + index * 70
        widgets.append(link(f"result_{index + 1}", 120, y, label, 17))
        widgets.append(
            muted(
                120,
                y + 28,
                "Current conditions, hourly and 14-day forecasts, radar and rain warnings.",
            )
        )
    return widgets


def shop(url_path: str, tab: str, *, user: str | None, cart: int) -> list[Widget]:
    widgets = browser(f"{tab} - Sock Shop", f"https://sockshop.example/{url_path}")
    widgets += [
        fill((80, 109, 1200, 160), (20, 84, 92)),
        text(110, 122, "Sock Shop", 24, WHITE),
        link("link_catalogue", 760, 128, "Catalogue", 15, WHITE),
        link("link_cart", 1080, 128, f"Cart ({cart})", 15, WHITE),
    ]
    if user:
        widgets.append(text(900, 128, f"Hi, {user}", 15, WHITE))
    return widgets


def login(user: str, password: str, focus: str | None) -> list[Widget]:
    widgets = shop("login", "Sign in", user=None, cart=0)
    widgets += [
        Widget("popup", (440, 200, 840, 580), color=WHITE),
        text(470, 224, "Sign in", 26),
        text(470, 270, "Username"),
        field("field_username", (470, 292, 810, 328), user or "~Username", focused=focus == "user"),
        text(470, 350, "Password"),
        field(
            "field_password",
            (470, 372, 810, 408),
            "*" * len(password) if password else "~Password",
            focused=focus == "password",
        ),
        primary("btn_signin", (470, 440, 810, 480), "Sign in"),
        link("link_forgot", 470, 500, "Forgot password?", 14),
        muted(470, 540, "New here?  Create an account"),
    ]
    return widgets


PRODUCTS = (
    ("red", "Red socks|$7.99", (200, 40, 40)),
    ("blue", "Blue socks|$7.99", (40, 80, 200)),
    ("striped", "Striped socks|$8.49", (120, 60, 160)),
    ("wool", "Wool socks|$12.00", (150, 120, 90)),
    ("sport", "Sport socks|$6.50", (30, 150, 90)),
    ("ankle", "Ankle socks|$5.99", (230, 150, 40)),
    ("holiday", "Holiday socks|$9.99", (200, 30, 60)),
    ("toe", "Toe socks|$8.99", (240, 200, 40)),
    ("bamboo", "Bamboo socks|$10.50", (110, 170, 60)),
)


def catalogue(*, first_row: int, cart: int, toast: str | None) -> list[Widget]:
    widgets = shop("catalogue", "Catalogue", user="alice", cart=cart)
    for slot, (product, label, colour) in enumerate(PRODUCTS[first_row * 3 : first_row * 3 + 6]):
        col, row = slot % 3, slot // 3
        x, y = 140 + col * 340, 184 + row * 250
        widgets.append(
            Widget(
                "product", (x, y, x + 300, y + 180), label, color=colour, name=f"product_{product}"
            )
        )
        widgets.append(primary(f"add_{product}", (x, y + 188, x + 300, y + 222), "Add to cart"))
    widgets.append(
        muted(560, 690, "Scroll for more socks" if first_row == 0 else "That's all our socks")
    )
    if toast:
        widgets += [
            Widget("popup", (880, 170, 1180, 220), color=(232, 245, 233)),
            text(900, 186, toast, 14),
        ]
    return widgets


def cart_page() -> list[Widget]:
    widgets = shop("cart", "Cart", user="alice", cart=1)
    widgets += [
        text(140, 190, "Your cart", 26),
        fill((140, 240, 1140, 241), BORDER),
        text(140, 260, "Red socks", 16),
        muted(600, 262, "Qty 1"),
        Widget("display", (900, 260, 1140, 280), "$7.99", size=16),
        fill((140, 300, 1140, 301), BORDER),
        muted(800, 320, "Subtotal"),
        Widget("display", (900, 320, 1140, 340), "$7.99", size=14),
        muted(800, 346, "Shipping"),
        Widget("display", (900, 346, 1140, 366), "$4.99", size=14),
        text(800, 380, "Total", 16),
        Widget("display", (900, 380, 1140, 400), "$12.98", size=16),
        primary("btn_checkout", (880, 430, 1140, 474), "Proceed to checkout"),
        link("link_continue", 140, 440, "Continue shopping", 15),
    ]
    return widgets


def checkout(done: bool) -> list[Widget]:
    widgets = shop(
        "checkout" if not done else "order/10412", "Checkout", user="alice", cart=0 if done else 1
    )
    if done:
        return widgets + [
            text(140, 220, "Thank you! Your order #10412 has been placed.", 24),
            muted(
                140,
                268,
                "A confirmation was sent to alice@example.com. Estimated delivery: 13 Nov 2025.",
            ),
            link("link_orders", 140, 310, "View your orders", 15),
        ]
    widgets += [
        text(140, 190, "Checkout", 26),
        text(140, 250, "Shipping address", 16),
        muted(140, 276, "Alice Example, 12 Canal Street, 1012 AB Amsterdam", 14),
        link("link_change_address", 1000, 276, "Change", 14),
        text(140, 330, "Payment", 16),
        muted(140, 356, "Visa ending in 4242", 14),
        text(140, 410, "Order total: $12.98", 18),
        primary("btn_place_order", (880, 460, 1140, 504), "Place order", color=(20, 130, 70)),
    ]
    return widgets


def chrome_settings(bookmarks: bool | None) -> list[Widget]:
    widgets = browser(
        "Settings", "chrome://settings" + ("/appearance" if bookmarks is not None else "")
    )
    nav = (
        "You and Google",
        "Autofill and passwords",
        "Privacy and security",
        "Performance",
        "Appearance",
        "Search engine",
        "Default browser",
        "On startup",
    )
    widgets.append(field("settings_search", (400, 120, 1000, 152), "~Search settings"))
    for index, label in enumerate(nav):
        y = 170 + index * 40
        on = label == "Appearance" and bookmarks is not None
        widgets.append(
            Widget(
                "nav",
                (90, y, 370, y + 36),
                label,
                name=f"nav_{label.split()[0].lower()}",
                role="link",
                on=on,
            )
        )
    if bookmarks is None:
        widgets.append(text(410, 180, "You and Google", 20))
        for index, (title, sub) in enumerate(
            (
                ("Sync and Google services", "Sync is off"),
                ("Customize your Chrome profile", ""),
                ("Import bookmarks and settings", ""),
            )
        ):
            widgets += card(220 + index * 68, title, sub)
        return widgets
    widgets.append(text(410, 180, "Appearance", 20))
    widgets += card(220, "Theme", "Classic")
    widgets += card(288, "Show home button", "Disabled")
    widgets.append(toggle("toggle_home", 288, False))
    widgets += card(356, "Show bookmarks bar", "")
    widgets.append(toggle("toggle_bookmarks", 356, bookmarks))
    widgets += card(424, "Font size", "")
    widgets.append(dropdown("font_dropdown", 424, "Medium (Recommended)"))
    widgets += card(492, "Page zoom", "")
    widgets.append(dropdown("zoom_dropdown", 492, "100%"))
    return widgets


def screens() -> dict[str, list[Widget]]:
    return {
        "ch_newtab": newtab(),
        "ch_newtab_typed": newtab("weather in Amsterdam"),
        "ch_results": results(),
        "ch_menu": newtab(menu=True),
        "ch_settings": chrome_settings(None),
        "ch_appearance": chrome_settings(False),
        "ch_appearance_on": chrome_settings(True),
        "ch_shop_login": login("", "", None),
        "ch_login_user": login("alice", "", "user"),
        "ch_login_both": login("alice", "hunter2", "password"),
        "ch_shop_home": catalogue(first_row=0, cart=0, toast=None),
        "ch_shop_scrolled": catalogue(first_row=1, cart=0, toast=None),
        "ch_cart_added": catalogue(first_row=0, cart=1, toast="Red socks added to your cart"),
        "ch_holiday_added": catalogue(
            first_row=1, cart=1, toast="Holiday socks added to your cart"
        ),
        "ch_cart": cart_page(),
        "ch_checkout": checkout(False),
        "ch_order_done": checkout(True),
    }


TEMPLATES = (
    Template(
        "chrome_search_weather",
        "chrome",
        "In Chrome, search the web for 'weather in Amsterdam'.",
        (
            ("ch_newtab", click("search", "A new tab is open; click the search box.")),
            ("ch_newtab", typed("weather in Amsterdam", "Type the query.")),
            ("ch_newtab_typed", key("enter", "Run the search.")),
        ),
        "ch_results",
        "check_url",
        "URL contains q=weather+in+Amsterdam",
        "URL is chrome://newtab",
    ),
    Template(
        "chrome_shop_login",
        "chrome",
        "Sign in to sockshop.example as alice with the password hunter2.",
        (
            (
                "ch_shop_login",
                click("field_username", "The login form is open; start with the username."),
            ),
            ("ch_shop_login", typed("alice", "Type the user name.")),
            ("ch_login_user", click("field_password", "Move to the password box.")),
            ("ch_login_user", typed("hunter2", "Type the password.")),
            ("ch_login_both", click("btn_signin", "Both fields are filled; sign in.")),
        ),
        "ch_shop_home",
        "check_cookie",
        "session cookie for user alice present",
        "no session cookie",
        partial=True,
    ),
    Template(
        "chrome_add_holiday_socks",
        "chrome",
        "On sockshop.example, add the Holiday socks to the cart.",
        (
            (
                "ch_shop_home",
                Act(
                    "scroll",
                    target="product_wool",
                    direction="down",
                    amount=5,
                    why="Holiday socks are not visible; scroll down.",
                ),
            ),
            (
                "ch_shop_scrolled",
                click("add_holiday", "Holiday socks are shown; click their Add to cart."),
            ),
        ),
        "ch_holiday_added",
        "check_cart",
        "cart holds 1 x Holiday socks",
        "cart is empty",
    ),
    Template(
        "chrome_checkout",
        "chrome",
        "Check out the cart on sockshop.example and place the order.",
        (
            ("ch_cart_added", click("link_cart", "Open the cart from the header.")),
            ("ch_cart", click("btn_checkout", "Proceed to checkout.")),
            (
                "ch_checkout",
                click("btn_place_order", "Address and payment are filled in; place the order."),
            ),
        ),
        "ch_order_done",
        "check_order",
        "order #10412 placed",
        "no order placed",
        partial=True,
    ),
    Template(
        "chrome_bookmarks_bar",
        "chrome",
        "Make Chrome always show the bookmarks bar.",
        (
            ("ch_newtab", click("btn_menu", "Open Chrome's menu.")),
            ("ch_menu", click("item_settings", "Go to Settings.")),
            (
                "ch_settings",
                click("nav_appearance", "The bookmarks bar option is under Appearance."),
            ),
            ("ch_appearance", click("toggle_bookmarks", "Switch 'Show bookmarks bar' on.")),
        ),
        "ch_appearance_on",
        "check_chrome_pref",
        "bookmark_bar.show_on_all_tabs = true",
        "bookmark_bar.show_on_all_tabs = false",
        partial=True,
    ),
    Template(
        "bb5e4c0d-f964-439c-97b6-bdb9747de3f4-WOS",
        "chrome",
        "What does a pair of Striped socks cost on sockshop.example? Answer with the price.",
        (("ch_shop_home", answer("$8.49", "The Striped socks tile shows $8.49.")),),
        "ch_shop_home",
        "exact_match",
        "answer '$8.49' matches",
        "answer does not match '$8.49'",
    ),
)
