"""Vocabulary for plausible Lai Châu names: villages, people, cooperatives and groups.

The words are Vietnamese data, not interface text: a cooperative is called "HTX Chè Tân Uyên"
whatever the language of the screen.
"""

from __future__ import annotations

import random

# Village names of the north-west are mostly Thái and Hmông words in two syllables.
_VILLAGE_HEADS = (
    "Nà",
    "Hua",
    "Pá",
    "Phiêng",
    "Co",
    "Noong",
    "Huổi",
    "Nậm",
    "Bó",
    "Tà",
    "Hô",
    "Khau",
    "Lướt",
    "Ít",
    "Sin",
    "Chiềng",
    "Pắc",
    "Tông",
    "Mường",
    "Lò",
    "Sàng",
    "Kim",
)
_VILLAGE_TAILS = (
    "Sẳng",
    "Khương",
    "Pầu",
    "Ban",
    "Đanh",
    "Mè",
    "Luông",
    "Cóc",
    "Phày",
    "Lào",
    "Bó",
    "Cang",
    "Mít",
    "Thẳm",
    "Lại",
    "Chăn",
    "Đon",
    "Mòn",
    "Then",
    "Hỏm",
    "Sài",
    "Hẹ",
    "Ngà",
    "Khoang",
    "Pục",
    "Lếch",
    "Ún",
    "Tăm",
    "Hiêng",
    "Pen",
    "Muông",
    "Xuân",
    "Phát",
    "Chản",
    "Ngọa",
)

_FAMILY = (
    "Lò",
    "Lường",
    "Tòng",
    "Hoàng",
    "Vàng",
    "Giàng",
    "Sùng",
    "Lý",
    "Nguyễn",
    "Trần",
    "Lê",
    "Đỗ",
    "Phạm",
    "Hà",
    "Điêu",
    "Quàng",
    "Cầm",
    "Lù",
    "Chang",
    "Tẩn",
    "Đèo",
    "Bạc",
    "Vũ",
    "Đặng",
)
_MALE_GIVEN = (
    "Xuân",
    "Minh",
    "Thắng",
    "Dũng",
    "Páo",
    "Chứ",
    "Sơn",
    "Tú",
    "Hải",
    "Quân",
    "Hùng",
    "Thành",
    "Lực",
    "Biên",
    "Tiến",
    "Khánh",
    "Phong",
    "Chung",
    "Long",
    "Sinh",
    "Pao",
    "Trường",
    "Việt",
    "Hưng",
)
_FEMALE_GIVEN = (
    "Hoa",
    "Hương",
    "Lan",
    "Mai",
    "Phượng",
    "Ngọc",
    "Thu",
    "Hà",
    "Dung",
    "Yến",
    "Chi",
    "Hiền",
    "Nga",
    "Quỳnh",
    "Sua",
    "Thảo",
    "Loan",
    "Bích",
    "Hồng",
    "Vân",
)
# Names a cooperative takes from its founders' wishes rather than from its place.
_BRANDS = (
    "Phúc Lộc",
    "Hoàng Long",
    "Thành Công",
    "An Phát",
    "Minh Phát",
    "Tâm Đức",
    "Hưng Thịnh",
    "Đồng Tâm",
    "Thịnh Vượng",
    "Tiến Đạt",
    "Quyết Tiến",
    "Xanh",
    "Bình An",
    "Hợp Lực",
    "Tân Tiến",
    "Phú Gia",
    "Nhật Minh",
    "Việt Thắng",
    "Sao Mai",
    "Đoàn Kết",
)

# Crops that each former district is known for (seed 000, part III.2.1).
DISTRICT_CROPS = {
    "105": ("Rau an toàn", "Hoa và cây cảnh", "Rau sạch"),
    "106": ("Chè", "Chè Shan tuyết", "Rau an toàn", "Cây ăn quả ôn đới", "Lúa gạo"),
    "107": ("Sâm Lai Châu", "Dược liệu", "Thảo quả"),
    "108": ("Thảo quả", "Dược liệu", "Chè Shan tuyết", "Lúa gạo"),
    "109": ("Chuối", "Dược liệu", "Thảo quả", "Lúa gạo"),
    "110": ("Lúa gạo", "Gạo Séng Cù", "Chè", "Mắc ca", "Cam"),
    "111": ("Chè", "Chè Tân Uyên", "Mắc ca", "Cây ăn quả"),
    "112": ("Quế", "Dược liệu", "Lúa gạo", "Sa nhân"),
}

# What comes after "HTX" for each sector or sub-sector, before the place.
HTX_WORDS = {
    "chan-nuoi": ("Chăn nuôi", "Chăn nuôi bò", "Chăn nuôi lợn đen", "Chăn nuôi gia súc", "Nuôi ong"),
    "thuy-san": ("Thủy sản", "Nuôi cá lồng", "Cá nước lạnh"),
    "lam-nghiep": ("Lâm nghiệp", "Trồng rừng", "Nông lâm nghiệp"),
    "nong-nghiep-tong-hop": (
        "Nông nghiệp",
        "Dịch vụ nông nghiệp",
        "Nông nghiệp tổng hợp",
        "Nông lâm thủy sản",
        "Nông nghiệp công nghệ cao",
    ),
    "cong-nghiep": ("Chế biến gỗ", "Dệt thổ cẩm", "Chế biến chè", "Sản xuất đồ mộc", "Chế biến nông sản"),
    "xay-dung": (
        "Xây dựng",
        "Xây dựng và Thương mại",
        "Vật liệu xây dựng",
        "Khai thác cát sỏi",
        "Sản xuất gạch không nung",
    ),
    "van-tai": ("Vận tải", "Vận tải hành khách", "Dịch vụ vận tải"),
    "thuong-mai": ("Thương mại dịch vụ", "Dịch vụ tổng hợp", "Thương mại", "Dịch vụ và Thương mại"),
    "du-lich": ("Du lịch cộng đồng", "Du lịch sinh thái", "Du lịch và Dịch vụ"),
    "moi-truong": ("Vệ sinh môi trường", "Dịch vụ môi trường"),
    "nuoc-sach": ("Nước sạch",),
    "cho": ("Kinh doanh và quản lý chợ",),
    "dien-nang": ("Dịch vụ điện năng",),
    "tieu-dung": ("Tiêu dùng",),
}

THT_WORDS = {
    "chan-nuoi": ("Chăn nuôi", "Chăn nuôi lợn", "Nuôi ong", "Chăn nuôi trâu bò"),
    "trong-trot": ("Trồng chè", "Trồng rau", "Sản xuất lúa hàng hóa", "Trồng dong riềng", "Trồng thảo quả"),
    "thuy-san": ("Nuôi cá",),
    "lam-nghiep": ("Trồng rừng", "Trồng quế"),
    "nong-nghiep-tong-hop": ("Sản xuất nông nghiệp", "Nông nghiệp"),
    "cong-nghiep": ("Dệt thổ cẩm", "Mộc dân dụng", "Rèn"),
    "xay-dung": ("Xây dựng",),
    "thuong-mai": ("Dịch vụ thương mại", "Dịch vụ"),
    "du-lich": ("Du lịch cộng đồng",),
}


def village(rng: random.Random) -> str:
    return f"{rng.choice(_VILLAGE_HEADS)} {rng.choice(_VILLAGE_TAILS)}"


def person(rng: random.Random) -> str:
    family = rng.choice(_FAMILY)
    if rng.random() < 0.6:
        middle = "A" if family in {"Vàng", "Giàng", "Sùng", "Lý", "Tẩn", "Chang"} else "Văn"
        return f"{family} {middle} {rng.choice(_MALE_GIVEN)}"
    return f"{family} Thị {rng.choice(_FEMALE_GIVEN)}"


def phone(rng: random.Random) -> str:
    return f"09{rng.randint(12, 98)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def short_name(name: str, division_type: str) -> str:
    """ "Thị trấn Than Uyên" → "Than Uyên": the place without the word for its kind."""
    if division_type and name.lower().startswith(division_type.lower() + " "):
        return name[len(division_type) + 1 :]
    return name


def address(rng: random.Random, commune_name: str, division_type: str, *, named: str = "") -> str:
    """The street address; a name that points at a village ("THT Nuôi cá bản Nà Sẳng") puts it there."""
    if " bản " in named:
        return f"Bản {named.split(' bản ', 1)[1]}, {commune_name}"
    if division_type in {"phường", "thị trấn"}:
        return f"Tổ dân phố số {rng.randint(1, 12)}, {commune_name}"
    return f"Bản {village(rng)}, {commune_name}"


def htx_words(rng: random.Random, sector: str, subsector: str | None, district: str) -> str:
    if subsector == "trong-trot":
        return rng.choice(DISTRICT_CROPS.get(district, ("Trồng trọt",)))
    return rng.choice(HTX_WORDS.get(subsector or sector, ("Dịch vụ tổng hợp",)))


def place_words(rng: random.Random, place: str, division_type: str) -> str:
    """Where the name of a cooperative points: its commune (mostly), a village, or a founder's wish."""
    roll = rng.random()
    if roll < 0.5:
        return place
    if roll < 0.8 and division_type == "xã":
        return f"bản {village(rng)}"
    return rng.choice(_BRANDS)
