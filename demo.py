"""Demo data for `make demo` / `python manage.py demo`: a believable street.

Everything goes through the same services as the pages (validated and audited like any
other record). Deterministic names; random account passwords, returned to the command,
which alone prints them.
"""
from __future__ import annotations

import random
from datetime import timedelta

from services import auth, clock
from services.directory import contacts, people, units
from services.errors import DomainError
from services.permissions import ROLE_LABELS, SYSTEM_ACTOR

STREET_OFFICE = "柏泉街道办事处"
GRASSROOTS = ["柏泉社区", "巨龙社区", "新沟社区", "丰荷社区", "文家社区", "东湖村", "茅庙村",
              "石榴红村", "柏泉村", "新墩村", "江北村", "十字村"]
STATIONS = ["柏泉街综合执法中队", "柏泉街社会保障服务中心", "柏泉街农业服务中心",
            "柏泉街水务站", "柏泉街安全生产监管站", "柏泉街文化体育服务中心"]
DEPARTMENTS = ["柏泉街党政综合办公室", "柏泉街经济发展办公室", "柏泉街社会事务办公室",
               "柏泉街平安建设办公室", "柏泉街城市管理办公室", "柏泉街财政所",
               "柏泉街应急管理办公室", "柏泉街组织人事办公室"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ["建国", "志强", "海燕", "秀英", "丽娟", "国华", "伟", "芳", "敏", "静", "磊", "洋", "婷",
         "军", "勇", "艳", "杰", "娜", "涛", "明", "超", "霞", "平", "刚", "桂英", "红梅", "春林",
         "文斌", "晓东", "雪梅", "志刚", "玉兰", "德华", "少华", "新民", "利民", "振华", "爱华"]
POSITIONS = ["主任", "副主任", "科员", "干事", "工作人员"]

DEMO_ACCOUNTS = [  # username, role, unit
    ("zhiban", "duty_officer", STREET_OFFICE),
    ("daiban", "shift_leader", STREET_OFFICE),
    ("danwei", "unit_duty_officer", "柏泉社区"),
    ("dangzhengban", "office_admin", "柏泉街党政综合办公室"),
    ("xitong", "system_admin", None),
    ("anquan", "security_admin", None),
    ("shenji", "audit_admin", None),
]


def _names(rng: random.Random):
    seen: set[str] = set()
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in seen:
            seen.add(name)
            yield name


def _mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "158", "186", "189"]) + f"{rng.randrange(10**8):08d}"


def load(seed: int = 2021) -> dict:
    """Load the demo street; refuses to run twice. Returns counts and demo accounts."""
    if any(u.name == STREET_OFFICE for u in units.list_units(SYSTEM_ACTOR, text=STREET_OFFICE)):
        raise DomainError("演示数据已载入，未重复载入")
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, reproducible, not a secret
    names = _names(rng)
    today = clock.local(clock.now()).date()

    office_id = units.create_unit(
        SYSTEM_ACTOR, units.UnitData(name=STREET_OFFICE, kind="street_office",
                                     address="武汉市东西湖区柏泉街道办事处"),
        duty_phone="027-83891100")
    unit_ids: dict[str, int] = {STREET_OFFICE: office_id}
    plan = [(n, "grassroots") for n in GRASSROOTS] + [(n, "station") for n in STATIONS] + \
           [(n, "department") for n in DEPARTMENTS]
    for i, (name, kind) in enumerate(plan, start=1):
        unit_ids[name] = units.create_unit(
            SYSTEM_ACTOR, units.UnitData(name=name, kind=kind, parent_id=office_id,
                                         fax=f"027-8389{2000 + i:04d}",
                                         address=f"柏泉街{name}办公楼"),
            duty_phone=f"027-8389{1100 + i:04d}")

    person_ids: dict[str, list[int]] = {}
    for unit_name, unit_id in unit_ids.items():
        size = 10 if unit_name == STREET_OFFICE else rng.randint(4, 7)
        ids = []
        for j in range(size):
            employment = "permanent" if j < size - 1 or rng.random() < 0.5 else \
                rng.choice(["contract", "temporary"])
            trained = employment == "permanent" and rng.random() < 0.93
            ids.append(people.create_person(SYSTEM_ACTOR, people.PersonData(
                name=next(names), unit_id=unit_id, employment=employment,
                position=POSITIONS[min(j, len(POSITIONS) - 1)], mobile=_mobile(rng),
                office_phone=f"027-8389{rng.randrange(3000, 9999):04d}",
                can_lead_shift=j < 2,
                pre_job_trained_on=today - timedelta(days=rng.randint(200, 2000)) if trained else None,
                yearly_trained_on=today - timedelta(days=rng.randint(10, 400)) if trained else None,
            )))
        person_ids[unit_name] = ids
        row = units.get_unit(SYSTEM_ACTOR, unit_id)
        units.update_unit(SYSTEM_ACTOR, unit_id, row.version, units.UnitData(
            name=row.name, kind=row.kind, parent_id=row.parent_id,
            principal_leader_id=ids[0], deputy_in_charge_id=ids[1], fax=row.fax,
            address=row.address))

    contact_rows = [
        ("区政府办公室总值班室", "district_duty_office", "东西湖区人民政府办公室", "027-83892110", "027-83892119"),
        ("区应急管理局值班室", "district_emergency_bureau", "东西湖区应急管理局", "027-83893110", "027-83893119"),
        ("区防汛抗旱指挥部办公室", "other", "东西湖区水务和湖泊局", "027-83894110", None),
        ("区卫生健康局值班室", "other", "东西湖区卫生健康局", "027-83895110", None),
        ("柏泉派出所值班室", "other", "东西湖分局柏泉派出所", "027-83896110", None),
    ] + [(f"{n}值班室", "unit", n, f"027-8389{1100 + i:04d}", None)
         for i, (n, _) in enumerate(plan, start=1)]
    for name, category, org, phone, fax in contact_rows:
        contacts.create_contact(SYSTEM_ACTOR, contacts.ContactData(
            name=name, category=category, organisation=org, phone=phone, fax=fax))

    accounts = []
    for username, role, unit_name in DEMO_ACCOUNTS:
        password = auth.generate_temp_password()
        person_id = person_ids[unit_name][2 if role != "shift_leader" else 0] if unit_name else None
        display = {"system_admin": "系统管理员", "security_admin": "安全管理员",
                   "audit_admin": "审计管理员"}.get(role)
        if person_id is not None:
            display = people.get_person(SYSTEM_ACTOR, person_id).name
        auth.create_user(SYSTEM_ACTOR, username, display, password, person_id=person_id,
                         roles={role})
        accounts.append({"username": username, "role": ROLE_LABELS[role], "name": display,
                         "password": password})
    return {"units": len(unit_ids), "people": sum(map(len, person_ids.values())),
            "contacts": len(contact_rows), "accounts": accounts}
