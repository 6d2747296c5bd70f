"""Building the simulated portal's corpus from a seed: the documents and columns
(:mod:`testbed.corpus` holds what they are), then the planted violations and near misses
(:mod:`testbed.plant_rules`, :mod:`testbed.plant_links`, which use the corpus's types)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from testbed.corpus import (
    AS_OF, COLUMNS, ORG_CODE, PUBLISHERS, TOPICS, Attachment, Column, Corpus, Doc, Violation, _body, draw_doc_no,
    _random_workday, _title, _working_days_back, zcjd_candidates,
)
from testbed.dates import DateOracle as WorkCalendar
from testbed.plant_links import plant_links
from testbed.plant_rules import plant_rules


def build_corpus(seed: int = 1, *, as_of: date = AS_OF, scale: float = 1.0) -> Corpus:
    """Generate the corpus; ``scale`` multiplies column sizes (benchmarks use large scales)."""
    rng = random.Random(seed)
    cal = WorkCalendar()
    columns = [Column(k, n, t) for k, n, t, _ in COLUMNS]
    docs: dict[str, Doc] = {}
    counter = 0
    used_nos: set[str] = set()
    start = as_of - timedelta(days=700)
    end = as_of - timedelta(days=3)

    def new_doc(col: Column, kind: str) -> Doc:
        nonlocal counter
        counter += 1
        key = f"d{counter:05d}"
        pub = _random_workday(rng, cal, start, end)
        topic = rng.choice(TOPICS)
        publisher, prefix = rng.choice(PUBLISHERS)
        lag = rng.randint(0, 12)
        written = _working_days_back(cal, pub, lag) if lag else pub
        title = _title(rng, kind, topic, written.year)
        has_no = kind in ("normative", "policy") or (kind == "notice" and rng.random() < 0.5)
        doc = Doc(
            key=key, column=col.key, kind=kind, title=title, pub_date=pub, written_date=written,
            index_no=f"{ORG_CODE.format(PUBLISHERS.index((publisher, prefix)))}/{written.year}-{counter:05d}",
            publisher=publisher,
            doc_no=draw_doc_no(rng, prefix, written.year, used_nos) if has_no else None,
            validity="有效" if kind in ("normative", "policy") else None,
            category=rng.choice(["综合政务", "城乡建设", "劳动人事", "财政金融", "农业农村", "公共安全"]),
            body=_body(title, topic),
        )
        if doc.doc_no is None:
            doc.missing_shown["doc_no"] = rng.choice(["omit", "无"])
        if doc.validity is None:
            doc.missing_shown["validity"] = "omit"
        if rng.random() < 0.3:
            ext = rng.choice(["pdf", "pdf", "docx", "xls", "ofd", "wps"])
            doc.attachments.append(Attachment(f"{title[:20]}.{ext}", ext, f"{key}a1"))
        docs[key] = doc
        col.docs.append(key)
        return doc

    for col, (_, _, kind, n) in zip(columns, COLUMNS):
        for _ in range(round(n * scale)):
            new_doc(col, kind)

    # 政策解读: most policies get one, published 0-3 working days later.
    zcjd = next(c for c in columns if c.key == "zcjd")
    for key in list(zcjd_candidates(docs)):
        pol = docs[key]
        if pol.kind == "normative" or rng.random() < 0.6:   # every 规范性文件 needs a 解读 (IN001)
            counter += 1
            jkey = f"d{counter:05d}"
            core = pol.title.split("《")[1].split("》")[0] if "《" in pol.title else pol.title
            pub = cal.add_workdays(pol.pub_date, rng.randint(0, 2)) if pol.pub_date < end else pol.pub_date
            j = Doc(
                key=jkey, column="zcjd", kind="interpretation", title=f"《{core}》政策解读",
                pub_date=pub, written_date=pub,
                index_no=f"{ORG_CODE.format(1)}/{pub.year}-{counter:05d}", publisher=pol.publisher,
                doc_no=None, validity=None, category=pol.category,
                body=f"一、出台背景\n为贯彻落实《{core}》（{pol.doc_no or '无文号'}），现解读如下。\n二、主要内容\n……",
                interprets=pol.key, missing_shown={"doc_no": "omit", "validity": "omit"},
            )
            pol.interpretation = jkey
            docs[jkey] = j
            zcjd.docs.append(jkey)

    corpus = Corpus(site_name="明湖市人民政府", as_of=as_of, columns=columns, docs=docs, seed=seed)
    for i in range(8):
        day = as_of - timedelta(days=1 + i * 3)
        corpus.site.home_news.append(
            (f"n{i + 1:03d}", f"明湖市召开{rng.choice(TOPICS)}工作推进会", day))
    for i, year in enumerate(range(as_of.year - 3, as_of.year)):
        pub = date(year + 1, 1, rng.randint(10, 28))
        corpus.site.annual_reports.append(
            (f"r{year}", year, pub, f"明湖市人民政府办公室{year}年政府信息公开工作年度报告"))
    _cross_list(corpus, rng)
    _plant_tm001(corpus, rng, cal)
    plant_rules(corpus, rng, cal)
    plant_links(corpus, rng, cal)
    return corpus


def _cross_list(corpus: Corpus, rng: random.Random) -> None:
    """Some 规范性文件 are also listed under 政策文件 (the same document, one URL)."""
    for d in corpus.docs_in("gfxwj")[:5]:
        d.also_in.append("zcwj")
        corpus.column("zcwj").docs.append(d.key)


def _plant_tm001(corpus: Corpus, rng: random.Random, cal: WorkCalendar) -> None:
    """TM001 late-posting: late cases, near misses on the 20th working day (one across the
    2026 National Day 调休 Saturday), and documents without a 成文日期 (-> review)."""
    pool = [d for d in corpus.docs.values() if d.kind in ("normative", "policy", "notice", "plan")
            and d.interpretation is None and d.pub_date.year >= 2025]
    rng.shuffle(pool)
    for d in pool[:8]:                       # late by 5 to 40 working days
        d.written_date = _working_days_back(cal, d.pub_date, 20 + rng.randint(5, 40))
        corpus.violations.append(Violation("TM001", d.key, "发布日期超过成文日期后20个工作日"))
    for d in pool[8:11]:                     # exactly on the 20th working day: on time
        d.written_date = _working_days_back(cal, d.pub_date, 20)
        corpus.near_misses.append(Violation("TM001", d.key, "第20个工作日发布，未超期"))
    # 2026-09-24 + 20 working days = 2026-10-29 only because 2026-10-10 (Saturday) is a workday.
    d = pool[11]
    d.written_date, d.pub_date = date(2026, 9, 24), date(2026, 10, 29)
    corpus.near_misses.append(Violation("TM001", d.key, "含调休工作日（2026-10-10），按期发布"))
    d = pool[12]                             # one working day too late across the same holiday
    d.written_date, d.pub_date = date(2026, 9, 24), date(2026, 10, 30)
    corpus.violations.append(Violation("TM001", d.key, "国庆假期后第21个工作日发布"))
    for d in pool[13:16]:                    # no 成文日期 on the page: cannot be assessed
        d.written_date = None
        d.missing_shown["written_date"] = rng.choice(["blank", "omit"])
        corpus.near_misses.append(Violation("TM001", d.key, "缺少成文日期，应待复核"))
