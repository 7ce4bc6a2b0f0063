"""Demo customers: deterministic people and firms with valid identifiers (GB 11643 resident ID numbers,
GB 32100 unified social credit codes), plausible occupations, incomes, sizes and contacts.

Everything is drawn from the `random.Random` it is given, so one seed gives the same book.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.identifiers import CREDIT_CODE_CHARSET, credit_code_check_char, resident_id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = {
    "male": "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文博睿晨",
    "female": "芳娜敏静丽艳娟霞秀英华玲桂兰萍红玉梅莉燕琳雪倩婷颖洁慧佳欣怡晶蓉悦思",
}
#: (region code, city): the first six digits of ID numbers and credit codes.
REGIONS = (
    ("110105", "北京"),
    ("310115", "上海"),
    ("440106", "广州"),
    ("440305", "深圳"),
    ("330106", "杭州"),
    ("320106", "南京"),
    ("350102", "福州"),
    ("350203", "厦门"),
    ("510107", "成都"),
    ("420106", "武汉"),
    ("610113", "西安"),
    ("370202", "青岛"),
    ("500103", "重庆"),
    ("430104", "长沙"),
    ("120101", "天津"),
)
#: (occupation, class 1–6, income range in thousands of yuan a year)
OCCUPATIONS = (
    ("teacher", 1, (90, 220)),
    ("office clerk", 1, (60, 180)),
    ("software engineer", 1, (200, 600)),
    ("doctor", 1, (180, 500)),
    ("accountant", 1, (100, 300)),
    ("civil servant", 1, (100, 250)),
    ("sales manager", 2, (150, 600)),
    ("nurse", 2, (80, 180)),
    ("shop owner", 2, (120, 800)),
    ("driver", 3, (70, 150)),
    ("factory technician", 3, (70, 160)),
    ("chef", 3, (60, 150)),
    ("delivery rider", 4, (60, 120)),
    ("electrician", 4, (80, 180)),
    ("construction foreman", 5, (100, 250)),
)
#: (industry, word in the firm's name)
INDUSTRIES = (
    ("manufacturing", "机械制造"),
    ("wholesale", "贸易"),
    ("retail", "商贸"),
    ("logistics", "物流"),
    ("catering", "餐饮管理"),
    ("construction", "建设工程"),
    ("software", "信息技术"),
    ("hospitality", "酒店管理"),
    ("textiles", "纺织"),
)
TRADE_NAMES = "华兴鑫盛泰隆恒通宏达瑞丰金源永安嘉禾东方远航新锐中科天诚"
#: size → (weight, headcount range, revenue range in millions)
SIZES = {
    "micro": (30, (3, 9), (1, 8)),
    "small": (45, (10, 99), (8, 50)),
    "medium": (20, (100, 499), (50, 400)),
    "large": (5, (500, 3000), (400, 3000)),
}


@dataclass
class Party:
    """A demo customer as the simulation knows them (the write side keeps the real record)."""

    kind: str  # individual | enterprise
    name: str
    fields: dict[str, Any]  # the registration command's fields
    birth: date | None = None
    gender: str | None = None
    income: Decimal = Decimal(0)  # a year: income of a person, revenue of a firm
    occupation_class: int = 1
    consents: set[str] = field(default_factory=set)
    id: UUID | None = None
    contact: str = ""
    dependants: list[Party] = field(default_factory=list)  # family members insured by this customer
    covers: list[Cover] = field(default_factory=list)

    def age_on(self, day: date) -> int:
        assert self.birth is not None
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))


@dataclass
class Cover:
    """A demo policy as the simulation knows it: who holds it and how they pay."""

    id: UUID
    code: str
    line: str
    holder: Party
    insured: Party
    payer: str = "punctual"  # punctual | late | lapser
    stop_at: int = 0  # the installment a lapser stops paying (0: never stops)
    claims: list[UUID] = field(default_factory=list)


class People:
    """Draws distinct customers: no ID number or credit code twice in one book."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def _phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def name(self, gender: str) -> str:
        given = "".join(self.rng.choice(GIVEN[gender]) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def resident_id(self, born: date, gender: str, region: str) -> str:
        """A valid GB 11643 number: region, birth date, sequence (odd for men), check character."""
        while True:
            odd = gender == "male"
            seq = self.rng.randrange(50) * 20 + self.rng.choice((1, 3, 5, 7, 9) if odd else (0, 2, 4, 6, 8))
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def credit_code(self, region: str) -> str:
        """A valid GB 32100 code: 91 (a company), region, nine organisation characters, check character."""
        while True:
            body = "91" + region + "".join(self.rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
            code = body + credit_code_check_char(body)
            if code not in self.taken:
                self.taken.add(code)
                return code

    def person(
        self,
        on: date,
        *,
        age: tuple[int, int] = (22, 58),
        gender: str | None = None,
        occupation: tuple[str, int, tuple[int, int]] | None = None,
    ) -> Party:
        """An adult (or, with a low `age`, a child) aged within `age` on `on`."""
        rng = self.rng
        gender = gender or rng.choice(("male", "female"))
        born = on - timedelta(days=rng.randint(age[0] * 365 + 10, age[1] * 365 + 300))
        region = rng.choice(REGIONS)[0]
        minor = born > on - timedelta(days=18 * 366)
        job, klass, (low, high) = occupation or (("student", 1, (0, 0)) if minor else rng.choice(OCCUPATIONS))
        income = Decimal(rng.randint(low, high) * 1000)
        if not minor and rng.random() < 0.05:
            income *= 3  # a few high earners
        married = not minor and rng.random() < 0.65
        name = self.name(gender)
        contact = self._phone()
        fields = {
            "name": name,
            "id_number": self.resident_id(born, gender, region),
            "occupation": job,
            "occupation_class": klass,
            "family_status": "married" if married else "single",
            "dependants": rng.choice((0, 1, 1, 2, 3)) if married else 0,
            "annual_income": str(income),
            "contacts": {"phone": contact},
        }
        return Party("individual", name, fields, born, gender, income, klass, contact=contact)

    def firm(self) -> Party:
        rng = self.rng
        region, city = rng.choice(REGIONS)
        industry, word = rng.choice(INDUSTRIES)
        size = rng.choices(list(SIZES), weights=[w for w, _, _ in SIZES.values()])[0]
        _, (h_low, h_high), (r_low, r_high) = SIZES[size]
        revenue = Decimal(rng.randint(r_low * 10, r_high * 10) * 100_000)
        trade = "".join(rng.sample(TRADE_NAMES, 2))
        name = f"{city}{trade}{word}有限公司"
        contact_person = self.name(rng.choice(("male", "female")))
        contact = self._phone()
        fields = {
            "name": name,
            "credit_code": self.credit_code(region),
            "industry": industry,
            "size": size,
            "headcount": rng.randint(h_low, h_high),
            "annual_revenue": str(revenue),
            "contact_person": contact_person,
            "contacts": {"phone": contact, "email": f"finance{rng.randrange(1000)}@{industry}.example.cn"},
        }
        return Party("enterprise", name, fields, income=revenue, contact=contact)


def segment_of(party: Party, on: date) -> tuple[str, str]:
    """Guide 2.2 segment and its basis."""
    if party.kind == "enterprise":
        size = party.fields["size"]
        segment = {"micro": "micro_business", "small": "sme", "medium": "corporate", "large": "key_account"}[size]
        return segment, f"{size} enterprise, revenue {party.income}"
    age = party.age_on(on)
    if party.income >= 500_000:
        return "high_net_worth", f"income {party.income}"
    if age >= 55:
        return "senior", f"age {age}"
    if age < 38 and party.fields["dependants"]:
        return "young_family", f"age {age} with {party.fields['dependants']} dependant(s)"
    if party.income >= 200_000:
        return "mass_affluent", f"income {party.income}"
    return "mass", f"income {party.income}"
