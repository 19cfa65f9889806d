#!/usr/bin/env python3
"""One-off converter: OCOP seed data set -> catalog/.

Usage: python3 scripts/convert-seed.py PATH/TO/ocop-seed-products.json [OUT_DIR]

Writes sources.json, groups.json, producers.json and products.json into
OUT_DIR (default: catalog/ next to this script's parent directory).

This script was run once to create catalog/. After that the files in
catalog/ are the source of truth and are edited by hand; nothing in the
build, the server or the tests runs this script. It uses only the Python 3
standard library.

Facts (names, producers, addresses, stars, years) are copied from the seed.
Everything the sources do not give (packaging, prices, certificate numbers,
exact dates, scores, photos) is generated deterministically from a SHA-256
hash of the product slug and placed under each product's "sample" object,
which the server must label "dữ liệu mẫu / sample data".
"""

import datetime
import hashlib
import json
import os
import re
import sys
import unicodedata

# --------------------------------------------------------------------------
# Text helpers


def nfc(value):
    """NFC-normalise every string inside a JSON-like value."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def fold(text):
    """Vietnamese -> ASCII: NFD, drop combining marks, đ->d, lowercase."""
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D").lower()


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def h(slug, purpose):
    """Deterministic integer derived from a slug and a purpose label."""
    digest = hashlib.sha256(f"{slug}\x00{purpose}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def pick_range(slug, purpose, lo, hi):
    """Deterministic integer in [lo, hi]."""
    return lo + h(slug, purpose) % (hi - lo + 1)


# --------------------------------------------------------------------------
# Administrative units (domain.md section 2: QĐ 19/2025/QĐ-TTg codes)

PROVINCE_CODES = {
    "Hà Nội": "01", "Cao Bằng": "04", "Tuyên Quang": "08", "Điện Biên": "11",
    "Lai Châu": "12", "Sơn La": "14", "Lào Cai": "15", "Thái Nguyên": "19",
    "Lạng Sơn": "20", "Quảng Ninh": "22", "Bắc Ninh": "24", "Phú Thọ": "25",
    "Hải Phòng": "31", "Hưng Yên": "33", "Ninh Bình": "37", "Thanh Hoá": "38",
    "Nghệ An": "40", "Hà Tĩnh": "42", "Quảng Trị": "44", "Huế": "46",
    "Đà Nẵng": "48", "Quảng Ngãi": "51", "Gia Lai": "52", "Khánh Hoà": "56",
    "Đắk Lắk": "66", "Lâm Đồng": "68", "Đồng Nai": "75", "Hồ Chí Minh": "79",
    "Tây Ninh": "80", "Đồng Tháp": "82", "Vĩnh Long": "86", "An Giang": "91",
    "Cần Thơ": "92", "Cà Mau": "96",
}
# Compare names through the ASCII fold so "Thanh Hóa" matches "Thanh Hoá".
PROVINCE_BY_FOLD = {slugify(k): v for k, v in PROVINCE_CODES.items()}
# Centrally governed cities (domain.md section 2, as of 30/04/2026).
CITY_CODES = {"01", "31", "46", "48", "75", "79", "92"}


def province_code(name):
    code = PROVINCE_BY_FOLD.get(slugify(name))
    if code is None:
        raise SystemExit(f"unknown province: {name!r}")
    return code


def province_phrase(name):
    """'tỉnh Vĩnh Long' / 'thành phố Hà Nội'."""
    return ("thành phố " if province_code(name) in CITY_CODES else "tỉnh ") + name


# The unit named after a comma or at the start ("thị xã X" is a former
# district-level unit, not a commune, and is not matched).
COMMUNE_FIRST = re.compile(r"(?:^|,)\s*((?:xã|phường|đặc khu)\s+[^,()]+)", re.I)
COMMUNE_NOW = re.compile(r"\(nay\s+((?:xã|phường|đặc khu)\s+[^,()]+?)\s*\)", re.I)


def commune_of(address):
    """The commune-level unit named in an address, or None."""
    m = COMMUNE_NOW.search(address)
    if m:
        return m.group(1).strip()
    m = COMMUNE_FIRST.search(address)
    return m.group(1).strip() if m else None


# --------------------------------------------------------------------------
# Groups

GROUP_DESCRIPTIONS = {
    1: ("Nhóm Thực phẩm gồm nông sản, thủy sản tươi sống, sản phẩm thô, sơ chế "
        "và chế biến, gia vị, chè và trà, cà phê và ca cao.",
        "The Food group covers fresh, raw, semi-processed and processed farm and "
        "aquatic products, condiments, tea and herbal teas, coffee and cocoa."),
    2: ("Nhóm Đồ uống gồm đồ uống có cồn như rượu trắng và đồ uống không cồn như "
        "nước khoáng thiên nhiên, nước uống đóng chai.",
        "The Beverages group covers alcoholic drinks such as white rice spirit and "
        "non-alcoholic drinks such as natural mineral and bottled water."),
    3: ("Nhóm Dược liệu và sản phẩm từ dược liệu gồm thực phẩm chức năng, thuốc "
        "dược liệu, thuốc cổ truyền, mỹ phẩm có thành phần dược liệu, tinh dầu "
        "và dược liệu khác.",
        "The Herbal and medicinal products group covers functional foods, herbal "
        "and traditional medicines, cosmetics with herbal ingredients, essential "
        "oils and other medicinal materials."),
    4: ("Nhóm Hàng thủ công mỹ nghệ gồm đồ gia dụng, đồ trang trí, đồ lưu niệm "
        "thủ công và sản phẩm vải, may mặc.",
        "The Handicrafts group covers handmade household, decorative and souvenir "
        "items and textile and garment products."),
    5: ("Nhóm Sinh vật cảnh gồm hoa, cây cảnh và động vật cảnh.",
        "The Ornamental plants and animals group covers flowers, ornamental plants "
        "and ornamental animals."),
    6: ("Nhóm Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch gồm "
        "các dịch vụ và điểm đến du lịch, không phải hàng hoá đóng gói.",
        "The Community and eco-tourism services and tourist sites group covers "
        "tourism services and destinations rather than packaged goods."),
}


def convert_groups(seed):
    out = []
    for g in seed["groups"]:
        vi, en = GROUP_DESCRIPTIONS[g["code"]]
        out.append({
            "code": g["code"],
            "slug": slugify(g["name_vi"]),
            "name_vi": g["name_vi"],
            "name_en": g["name_en"],
            "subgroups_vi": list(g.get("subgroups_vi", [])),
            "description_vi": vi,
            "description_en": en,
        })
    return out


# --------------------------------------------------------------------------
# Producers


def convert_producers(seed):
    out = []
    for p in seed["producers"]:
        out.append({
            "slug": p["key"],
            "name": p["name"],
            "kind": p["kind"],
            "address": p["address"],
            "province": p["province"],
            "province_as_stated": p.get("province_as_stated"),
            "commune": commune_of(p["address"]),
            "representative": p.get("representative"),
            "contact": None,
            "source": p["source"],
        })
    return out


# --------------------------------------------------------------------------
# Product slugs


def product_slugs(products):
    base = [slugify(p["name"]) for p in products]
    count = {}
    for b in base:
        count[b] = count.get(b, 0) + 1
    slugs = []
    seen = set()
    for b, p in zip(base, products):
        s = b if count[b] == 1 else f"{b}-{p['producer']}"
        cand, n = s, 2
        while cand in seen:
            cand = f"{s}-{n}"
            n += 1
        seen.add(cand)
        slugs.append(cand)
    return slugs


# --------------------------------------------------------------------------
# Sample packaging variants (NOT from the sources)

# kind -> list of (size label, unit, size code, price_lo, price_hi).
# Prices are plausible retail levels in đồng; sample values only.
KINDS = [
    # (kind, regex on the folded product name)
    ("yen-hu", r"yen hu"),
    ("yen", r"^yen "),
    ("mach-nha", r"mach nha"),
    ("duong", r"^duong "),
    ("mat", r"^mat (hoa|ong)"),
    ("com-chay", r"com chay|com rang"),
    ("cha-bong", r"^cha bong"),
    ("nuoc-mam", r"nuoc mam|mam nem"),
    ("sot", r"^sot "),
    ("dtht-mat-ong", r"dong trung.*mat ong"),
    ("dtht", r"dong trung"),
    ("keo", r"^keo "),
    ("cha", r"^cha (bo|lua)"),
    ("com", r"^com rang hoang|^com "),
    ("ruou", r"^ruou "),
    ("ca-kho", r"^ca bong"),
    ("kho", r"^kho |^bo kho"),
    ("dau", r"^dau phung"),
    ("banh-nghe", r"tinh bot nghe"),
    ("nam", r"^nam "),
    ("dua-soi", r"dua sap"),
    ("hat-dieu", r"hat dieu"),
    ("tra-hoa-vang", r"tra hoa vang"),
    ("tra-atiso", r"tra phun suong"),
    ("tra", r"^(tra|che|hong tra)\b"),
    ("gom", r"gom"),
    ("chan", r"^chan "),
    ("den", r"^nhom den|^den "),
    ("banh-trang", r"banh trang"),
    ("banh-dau", r"banh dau xanh"),
    ("banh-dua", r"banh dua"),
    ("vai", r"^vai thieu"),
    ("sau-rieng-dong", r"sau rieng cap dong"),
    ("sau-rieng-say", r"sau rieng say"),
    ("khoai", r"khoai lang"),
    ("gia-vi", r"^gia vi"),
    ("vien", r"bao ve suc khoe.*mat ong"),
    ("tpbvsk", r"bao ve suc khoe"),
    ("cao", r"^cao "),
    ("ca-phe", r"^ca phe"),
    ("my-gao", r"^m[yi] gao"),
    ("mang-chua", r"^mang chua"),
    ("mang-kho", r"^mang"),
    ("ca-that-lat", r"ca that lat"),
]

SIZES = {
    "yen-hu": [("70 ml", "hũ", "070", 35000, 60000),
               ("Hộp 6 hũ", "hộp", "H6", 200000, 340000),
               ("Hộp 12 hũ", "hộp", "H12", 390000, 650000)],
    "yen": [("50 g", "hộp", "050", 1300000, 2300000),
            ("100 g", "hộp", "100", 2500000, 4500000)],
    "mach-nha": [("500 g", "hũ", "500", 45000, 80000),
                 ("1 kg", "hũ", "1K", 85000, 140000)],
    "duong": [("500 g", "túi", "500", 35000, 60000),
              ("1 kg", "túi", "1K", 60000, 110000)],
    "mat": [("250 ml", "chai", "250", 120000, 220000),
            ("500 ml", "chai", "500", 200000, 380000)],
    "com-chay": [("100 g", "gói", "100", 30000, 45000),
                 ("200 g", "hũ", "200", 55000, 85000)],
    "cha-bong": [("100 g", "hũ", "100", 60000, 90000),
                 ("200 g", "hũ", "200", 110000, 170000)],
    "nuoc-mam": [("250 ml", "chai", "250", 80000, 130000),
                 ("500 ml", "chai", "500", 130000, 250000)],
    "sot": [("250 ml", "chai", "250", 30000, 50000),
            ("500 ml", "chai", "500", 50000, 85000)],
    "dtht-mat-ong": [("250 ml", "hũ", "250", 450000, 900000)],
    "dtht": [("10 g", "hộp", "010", 400000, 700000),
             ("20 g", "hộp", "020", 750000, 1300000)],
    "keo": [("250 g", "gói", "250", 35000, 55000),
            ("400 g", "hộp", "400", 55000, 90000)],
    "cha": [("250 g", "cây", "250", 90000, 140000),
            ("500 g", "cây", "500", 170000, 260000)],
    "com": [("200 g", "gói", "200", 30000, 50000),
            ("500 g", "túi", "500", 65000, 110000)],
    "ruou": [("500 ml", "chai", "500", 120000, 220000),
             ("750 ml", "chai", "750", 180000, 350000)],
    "ca-kho": [("300 g", "hũ", "300", 120000, 200000)],
    "kho": [("250 g", "túi", "250", 150000, 250000),
            ("500 g", "túi", "500", 290000, 450000)],
    "dau": [("500 ml", "chai", "500", 60000, 90000),
            ("1 lít", "chai", "1L", 110000, 160000)],
    "banh-nghe": [("250 g", "hộp", "250", 80000, 150000)],
    "nam": [("500 g", "túi", "500", 30000, 50000)],
    "dua-soi": [("200 g", "hũ", "200", 60000, 120000)],
    "hat-dieu": [("250 g", "túi", "250", 90000, 160000),
                 ("500 g", "hộp", "500", 170000, 300000)],
    "tra-hoa-vang": [("50 g", "hộp", "050", 250000, 450000),
                     ("100 g", "hộp", "100", 400000, 600000)],
    "tra-atiso": [("Hộp 20 túi lọc", "hộp", "T20", 60000, 120000),
                  ("Hộp 50 túi lọc", "hộp", "T50", 130000, 250000)],
    "tra": [("100 g", "hộp", "100", 120000, 300000),
            ("200 g", "hộp", "200", 220000, 600000)],
    "gom": [("Bộ ấm chén", "bộ", "BAC", 800000, 2500000),
            ("Bình hoa", "cái", "BH", 1200000, 5000000)],
    "chan": [("Khổ 1,5 m × 2 m", "cái", "150", 2000000, 4000000),
             ("Khổ 1,8 m × 2 m", "cái", "180", 2500000, 5000000)],
    "den": [("Cao 30 cm", "cái", "30", 450000, 900000),
            ("Cao 45 cm", "cái", "45", 700000, 1500000)],
    "banh-trang": [("200 g", "gói", "200", 25000, 45000),
                   ("500 g", "gói", "500", 55000, 90000)],
    "banh-dau": [("250 g", "hộp", "250", 45000, 80000),
                 ("400 g", "hộp", "400", 70000, 120000)],
    "banh-dua": [("180 g", "gói", "180", 25000, 45000),
                 ("Hộp 4 gói", "hộp", "H4", 90000, 160000)],
    "vai": [("Hộp 2 kg", "hộp", "2K", 120000, 220000),
            ("Thùng 5 kg", "thùng", "5K", 250000, 450000)],
    "sau-rieng-dong": [("1 kg", "hộp", "1K", 250000, 450000)],
    "sau-rieng-say": [("100 g", "túi", "100", 150000, 250000)],
    "khoai": [("200 g", "túi", "200", 50000, 90000)],
    "gia-vi": [("Gói 1 lần nấu", "gói", "G1", 25000, 45000),
               ("Hộp 5 gói", "hộp", "H5", 110000, 200000)],
    "vien": [("250 ml", "chai", "250", 350000, 650000)],
    "tpbvsk": [("Hộp 30 viên", "hộp", "V30", 300000, 700000),
               ("Hộp 60 viên", "hộp", "V60", 550000, 1300000)],
    "cao": [("100 g", "hũ", "100", 150000, 300000),
            ("200 g", "hũ", "200", 280000, 450000)],
    "ca-phe": [("250 g", "gói", "250", 90000, 150000),
               ("500 g", "gói", "500", 160000, 250000)],
    "my-gao": [("500 g", "gói", "500", 30000, 60000)],
    "mang-chua": [("500 g", "hũ", "500", 35000, 70000)],
    "mang-kho": [("200 g", "gói", "200", 60000, 120000)],
    "ca-that-lat": [("500 g", "khay", "500", 90000, 160000)],
    # group fallbacks
    "g1": [("250 g", "gói", "250", 40000, 90000),
           ("500 g", "gói", "500", 70000, 160000)],
    "g2": [("500 ml", "chai", "500", 80000, 200000)],
    "g3": [("100 g", "hộp", "100", 150000, 400000)],
    "g4": [("1 chiếc", "cái", "1", 300000, 1500000)],
    "g5": [("Chậu nhỏ", "chậu", "CN", 150000, 500000)],
}

# Short SKU prefixes where the last two words of the producer name are not
# the brand. Elsewhere the prefix is the producer name's last two words.
SKU_PREFIX = {
    "culaore": "CULAORE",
    "tbt": "TBT",
    "dung-cay-gon": "DUNGCAYGON",
    "cong-ty-tnhh-tra-vinh-farm": "TRAVINH",
    "cong-ty-tnhh-san-xuat-va-thuong-mai-yeshue": "YESHUE",
    "cong-ty-cp-tu-van-va-dau-tu-ecohost": "ECOHOST",
    "cong-ty-tnhh-dong-phat-food": "DONGPHAT",
    "hop-tac-xa-mat-ong-phuong-di-bee": "PHUONGDI",
    "cong-ty-tnhh-dau-tu-va-phat-trien-tra-ut": "TRAUT",
    "cong-ty-tnhh-mtv-traphaco-sapa": "TRAPHACO",
}


def kind_of(product):
    name = " ".join(slugify(product["name"]).split("-"))
    for kind, pattern in KINDS:
        if re.search(pattern, name):
            return kind
    return f"g{product['group']}"


def sku_prefix(producer):
    if producer["slug"] in SKU_PREFIX:
        return SKU_PREFIX[producer["slug"]]
    words = slugify(producer["name"]).split("-")
    return "".join(words[-2:]).upper()[:10]


def initials(name, k):
    words = [w for w in slugify(name).split("-") if w]
    return "".join(w[0] for w in words[:k]).upper()


def make_variants(product, slug, producer, used_skus):
    if product["group"] == 6:
        return [{"sku": None, "size": "1 người/ngày", "unit": "vé",
                 "price_vnd": None, "barcode": None}]
    sizes = SIZES[kind_of(product)]
    n = 1 + h(slug, "variant-count") % min(3, len(sizes))
    # keep the smallest n sizes, so a product always has its basic pack
    chosen = sizes[:n]
    prefix = sku_prefix(producer)
    words = len([w for w in slugify(product["name"]).split("-") if w])
    # shortest run of initials (>= 3) whose SKUs are all unused
    for k in range(3, max(words, 3) + 1):
        skus = [f"{prefix}-{initials(product['name'], k)}-{c[2]}" for c in chosen]
        if not any(s in used_skus for s in skus):
            break
    else:
        base = initials(product["name"], words)
        n2 = 2
        while True:
            skus = [f"{prefix}-{base}{n2}-{c[2]}" for c in chosen]
            if not any(s in used_skus for s in skus):
                break
            n2 += 1
    # One position inside every size's price band, so that a bigger pack of
    # the same product never costs less than a smaller one.
    pos = h(slug, "price") % 1001 / 1000
    out = []
    for sku, (size, unit, _code, lo, hi) in zip(skus, chosen):
        used_skus.add(sku)
        price = round((lo + pos * (hi - lo)) / 1000) * 1000
        out.append({"sku": sku, "size": size, "unit": unit,
                    "price_vnd": price, "barcode": None})
    return out


# --------------------------------------------------------------------------
# Sample certificates (NOT from the sources)

MARD = "Bộ Nông nghiệp và Phát triển nông thôn"
MAE = "Bộ Nông nghiệp và Môi trường"


def issue_date(product, slug):
    rec = product.get("recognised")
    if rec:
        if re.fullmatch(r"\d{4}-\d{2}", rec):
            return datetime.date(int(rec[:4]), int(rec[5:7]), 15)
        if re.fullmatch(r"\d{4}", rec):
            return datetime.date(int(rec), 6, 30)
        raise SystemExit(f"unexpected 'recognised' value {rec!r}")
    if product["source"] == "nghia-lo-2025":
        start = datetime.date(2024, 1, 1)
        span = (datetime.date(2025, 9, 30) - start).days
        return start + datetime.timedelta(days=h(slug, "issued_on") % (span + 1))
    return datetime.date(2025, 6, 30)


def legal_basis(day):
    if day < datetime.date(2023, 2, 24):
        # Before QĐ 148/QĐ-TTg took effect (domain.md section 0).
        return "1048/2019"
    if day < datetime.date(2025, 7, 6):
        return "148/2023"
    if day <= datetime.date(2026, 5, 21):
        return "148+1489"
    return "26/2026"


def score_for(stars, slug):
    lo, hi = {3: (500, 699), 4: (700, 899), 5: (900, 1000)}[stars]
    return pick_range(slug, "score", lo, hi) / 10


def make_certificate(product, slug, producer, seq):
    stars = product["stars"]
    day = issue_date(product, slug)
    province = producer.get("province_as_stated") or producer["province"]
    if stars == 5:
        level = "national"
        issuer = MARD if day < datetime.date(2025, 3, 1) else MAE
    elif day >= datetime.date(2025, 7, 1) or stars == 4:
        level = "province"
        issuer = f"UBND {province_phrase(province)}"
    else:
        level = "district"
        issuer = "UBND cấp huyện"
    code = province_code(producer["province"])
    key = (code, day.year)
    seq[key] = seq.get(key, 0) + 1
    return {
        "number": f"MẪU-{code}-{day.year}-{seq[key]:04d}",
        "issued_on": day.isoformat(),
        "issuer": issuer,
        "level": level,
        "legal_basis": legal_basis(day),
        "score": score_for(stars, slug),
    }


# --------------------------------------------------------------------------
# Photos (sample illustrations, catalog/media/)


def make_photos(product, slug, groups):
    g = groups[product["group"]]
    files = [f"group-{g['code']}-{v}.svg" for v in "abc"]
    # deterministic permutation of the three variants
    perms = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    order = perms[h(slug, "photos") % len(perms)]
    return [{"file": files[i],
             "alt_vi": f"Hình minh hoạ nhóm {g['name_vi']}",
             "alt_en": f"Illustration, {g['name_en']} group"} for i in order]


# --------------------------------------------------------------------------
# Descriptions (facts only)


def producer_phrase(producer):
    name = producer["name"]
    if producer["kind"] == "household" and not re.match(r"(?i)(hộ|cơ sở)\b", name):
        name = "hộ " + name
    parts = [name]
    if producer["commune"]:
        parts.append(producer["commune"])
    prov = province_phrase(producer["province"])
    stated = producer.get("province_as_stated")
    if stated and slugify(stated) != slugify(producer["province"]):
        prov += f" (tỉnh {stated} cũ)"
    parts.append(prov)
    return ", ".join(parts)


def recognition_phrase(product):
    note = product.get("note") or ""
    rec = product.get("recognised")
    if not rec:
        return ""
    if "Re-recognised" in note and rec == "2024-07":
        return " (công nhận lại từ 1/7/2024)"
    if re.fullmatch(r"\d{4}-\d{2}", rec):
        return f" (công nhận tháng {int(rec[5:7])}/{rec[:4]})"
    return f" (công nhận năm {rec})"


def describe(product, producer):
    who = producer_phrase(producer)
    if product["status"] == "registered":
        target = product.get("target_stars")
        if target and "target stars uncertain" not in (product.get("note") or ""):
            goal = f" (mục tiêu {target} sao)"
        else:
            goal = ""
        return (f"Sản phẩm đăng ký tham gia đánh giá OCOP năm 2024{goal} của {who}. "
                "Theo nguồn, sản phẩm chưa được công nhận sao OCOP.")
    stars = product["stars"]
    level = " cấp quốc gia" if stars == 5 else ""
    text = f"Sản phẩm OCOP {stars} sao{level}{recognition_phrase(product)} của {who}."
    if product["source"] == "nghia-lo-2025":
        text += (" Có tên trong danh sách sản phẩm OCOP từ 3 sao trở lên của phường "
                 "Nghĩa Lộ tính đến 30/9/2025.")
    return text


# --------------------------------------------------------------------------
# Products


def convert_products(seed, producers, groups):
    by_slug = {p["slug"]: p for p in producers}
    by_code = {g["code"]: g for g in groups}
    slugs = product_slugs(seed["products"])
    used_skus = set()
    cert_seq = {}
    out = []
    for slug, p in zip(slugs, seed["products"]):
        producer = by_slug[p["producer"]]
        sample = {"variants": make_variants(p, slug, producer, used_skus)}
        if p["status"] == "certified":
            sample["certificate"] = make_certificate(p, slug, producer, cert_seq)
        sample["photos"] = make_photos(p, slug, by_code)
        out.append({
            "slug": slug,
            "name": p["name"],
            "producer": p["producer"],
            "group": p["group"],
            "status": p["status"],
            "stars": p.get("stars"),
            "target_stars": p.get("target_stars"),
            "level": p.get("level"),
            "recognised": p.get("recognised"),
            "source": p["source"],
            "also_source": p.get("also_source"),
            "note": p.get("note"),
            "description": describe(p, producer),
            "sample": sample,
        })
    # Tourism "vé" variants carry no SKU code in the sources; give them one.
    for prod in out:
        for v in prod["sample"]["variants"]:
            if v["sku"] is None:
                prefix = sku_prefix(by_slug[prod["producer"]])
                v["sku"] = f"{prefix}-{initials(prod['name'], 3)}-VE"
                assert v["sku"] not in used_skus, v["sku"]
                used_skus.add(v["sku"])
    return out


# --------------------------------------------------------------------------


def write_json(path, value):
    text = json.dumps(nfc(value), ensure_ascii=False, indent=2) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        seed = nfc(json.load(f))
    out_dir = argv[2] if len(argv) > 2 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "catalog")
    os.makedirs(out_dir, exist_ok=True)

    groups = convert_groups(seed)
    producers = convert_producers(seed)
    products = convert_products(seed, producers, groups)

    write_json(os.path.join(out_dir, "sources.json"), seed["sources"])
    write_json(os.path.join(out_dir, "groups.json"), groups)
    write_json(os.path.join(out_dir, "producers.json"), producers)
    write_json(os.path.join(out_dir, "products.json"), products)
    print(f"{len(groups)} groups, {len(producers)} producers, "
          f"{len(products)} products -> {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
