"""Plant the cases of the rule set (every code but TM001, planted in corpus.py, and LK*) in a
corpus truth: failures go to ``corpus.violations``, cases built to sit just inside a rule to
``corpus.near_misses`` (a note containing 复核 marks a case the rule must send to review).

Site-level codes (ID001, DI001, DI002, FR001, TM002) have one site per style: the seed chooses
which of them fail, so the default corpus (seed 1) shows a mix of failures and passes. AV001
cannot be planted in a truth (it is about the live server): it is tested with ``govaudit probe``.
Called by :func:`crawler.testbed.corpus.build_corpus` right before it returns.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from urllib.parse import urlsplit

from crawler.testbed.corpus import (
    Column, Corpus, Doc, Violation, _random_workday, _working_days_back,
)
from rules.workdays import WorkCalendar

#: site-level codes planted in the truth; the seed picks which fail (see Planter.site_level)
SITE_CODES = ("ID001", "DI001", "DI002", "FR001", "TM002")
#: empty columns added to the 法定主动公开内容 (FR003): (key, name, type)
EMPTY_COLUMNS = [("zdxm", "重大建设项目", "project"), ("gyzy", "社会公益事业", "welfare")]
INTERP_WORKDAYS = 3           # IN002 limit (data/thresholds.toml [interpretation].max_workdays)
#: MD001 fields (data/thresholds.toml [metadata].required) and MD002 fields of a 规范性文件
MD001_FIELDS = ("index_no", "publisher", "written_date", "pub_date")
MD002_FIELDS = ("doc_no", "written_date", "pub_date", "validity")


class SiteViolation(Violation):
    """A site-level failure. Site-level findings carry the site's URL (the page concerned is in
    their evidence), known only once a style has bound the corpus: derived from a document's."""

    def __init__(self, corpus: Corpus, code: str, note: str):
        self._corpus = corpus
        super().__init__(code, "site", note)

    @property
    def url(self) -> str | None:
        bound = next((d.url for d in self._corpus.docs.values() if d.url), None)
        return f"{urlsplit(bound).scheme}://{urlsplit(bound).netloc}/" if bound else None

    @url.setter
    def url(self, value) -> None:   # set by the dataclass __init__; always derived
        pass


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Planter:
    def __init__(self, corpus: Corpus, rng: random.Random, cal: WorkCalendar):
        self.c, self.rng, self.cal = corpus, rng, cal
        self.taken = {v.key for v in corpus.violations + corpus.near_misses}

    def fail(self, code: str, key: str, note: str) -> None:
        self.c.violations.append(SiteViolation(self.c, code, note) if key == "site" else Violation(code, key, note))

    def near(self, code: str, key: str, note: str) -> None:
        self.c.near_misses.append(SiteViolation(self.c, code, note) if key == "site" else Violation(code, key, note))

    def pick(self, n: int, ok) -> list[Doc]:
        """``n`` untouched documents matching ``ok`` (deterministic order, then shuffled)."""
        pool = [d for d in self.c.docs.values() if d.key not in self.taken and ok(d)]
        self.rng.shuffle(pool)
        chosen = pool[:n]
        for d in chosen:
            self.taken.add(d.key)
            if d.interpretation:
                self.taken.add(d.interpretation)
            if d.interprets:
                self.taken.add(d.interprets)
        return chosen

    def old(self, d: Doc, days: int = 40) -> bool:
        return d.pub_date <= self.c.as_of - timedelta(days=days)

    # -- site level -----------------------------------------------------------------------
    def site_level(self) -> None:
        # two of the deduct codes fail; the FR001 veto only on some seeds (vetoes are rare)
        failing = set(self.rng.sample([c for c in SITE_CODES if c != "FR001"], 2))
        if self.rng.random() < 0.25:
            failing.add("FR001")
        site, as_of = self.c.site, self.c.as_of
        if "ID001" in failing:
            part = self.rng.choice(sorted(site.footer))
            site.footer[part] = None
            self.fail("ID001", "site", f"页面底部缺少{part}")
        if "DI001" in failing:
            site.sections["rules"] = False
            self.fail("DI001", "site", "公开专栏缺少政府信息公开制度")
        if "DI002" in failing:
            for part in self.rng.sample(["hours", "fax", "online", "address"], 2):
                site.guide[part] = None
            self.fail("DI002", "site", "指南缺少法定要素")
        if "FR001" in failing:
            shift = timedelta(days=self.rng.randint(20, 40))
            site.home_news = [(k, t, d - shift) for k, t, d in site.home_news]
            self.fail("FR001", "site", f"首页最新信息为{shift.days + 1}天前")
        else:                       # newest item 12 days old: inside the 2 weeks
            newest = max(d for _, _, d in site.home_news)
            shift = newest - (as_of - timedelta(days=12))
            site.home_news = [(k, t, d - shift) for k, t, d in site.home_news]
            self.near("FR001", "site", "首页最新信息为12天前，未超过2周")
        last = as_of.year - 1
        reports = [r for r in site.annual_reports if r[1] != last]
        if "TM002" in failing:
            if self.rng.random() < 0.5:    # published after 1月31日 by a department
                pub = date(last + 1, 2, self.rng.randint(5, 25))
                reports.append((f"r{last}", last, pub, f"明湖市人民政府办公室{last}年政府信息公开工作年度报告"))
                self.fail("TM002", "site", f"{last}年度报告{pub}公布，晚于1月31日")
            else:
                self.fail("TM002", "site", f"缺少{last}年度报告")
        else:                       # the government's own report: 3月31日 is its deadline
            pub = _random_workday(self.rng, self.cal, date(last + 1, 3, 2), date(last + 1, 3, 31))
            reports.append((f"r{last}", last, pub, f"明湖市人民政府{last}年政府信息公开工作年度报告"))
            self.near("TM002", "site", f"政府本级{last}年度报告{pub}公布，在3月31日前")
        site.annual_reports = sorted(reports, key=lambda r: r[1])

    # -- columns --------------------------------------------------------------------------
    def redate_column(self, key: str, lo: date, hi: date) -> None:
        """Move a column's documents into [lo, hi] (the first onto the last working day up to
        ``hi``), keeping each one's 成文→发布 lag."""
        for i, d in enumerate(self.c.docs[k] for k in self.c.column(key).docs):
            lag = self.cal.workdays_between(d.written_date, d.pub_date) if d.written_date else None
            d.pub_date = _random_workday(self.rng, self.cal, lo, hi) if i else hi
            while not self.cal.is_workday(d.pub_date):
                d.pub_date -= timedelta(days=1)
            if lag is not None:
                d.written_date = _working_days_back(self.cal, d.pub_date, lag) if lag else d.pub_date
            self.taken.add(d.key)

    def columns(self) -> None:
        as_of = self.c.as_of
        # FR002: 财政预决算 (12-month window) last updated 13 to 23 months ago
        self.redate_column("czyjs", as_of - timedelta(days=700), as_of - timedelta(days=400))
        self.fail("FR002", "czyjs", "栏目12个月内无更新")
        # near miss: 人事信息 newest item about 11 months old, inside its 12-month window
        self.redate_column("rsxx", as_of - timedelta(days=700), as_of - timedelta(days=335))
        newest = max(self.c.docs[k].pub_date for k in self.c.column("rsxx").docs)
        self.near("FR002", "rsxx", f"栏目最新信息{newest}，仍在12个月内")
        # FR003: columns opened but never filled
        for key, name, ctype in EMPTY_COLUMNS:
            self.c.columns.append(Column(key, name, ctype))
            self.c.site.empty_columns.append(key)
            self.fail("FR003", key, "空白栏目（暂无信息）")

    # -- documents ------------------------------------------------------------------------
    def metadata(self) -> None:
        plain = lambda d: d.kind in ("notice", "plan", "enforcement", "proposal") and not d.also_in
        for d, field in zip(self.pick(3, plain), ("index_no", "publisher", "index_no")):
            setattr(d, field, None)
            d.missing_shown[field] = self.rng.choice(["blank", "omit"])
        # near miss: a notice showing 〔〕号 is not a 规范性文件, so no 文号 is required
        for d in self.pick(1, lambda d: d.kind == "notice" and d.doc_no is None):
            d.missing_shown["doc_no"] = "〔〕号"
            self.near("MD002", d.key, "通知公告显示“〔〕号”，非规范性文件，不要求文号")
        normative = lambda d: d.kind == "normative" and d.interpretation is not None
        for d, (field, shown) in zip(self.pick(3, normative),
                                     [("doc_no", "〔〕号"), ("validity", "blank"), ("validity", "无")]):
            setattr(d, field, None)
            d.missing_shown[field] = shown

    def validity(self) -> None:
        as_of = self.c.as_of
        normative = lambda d: d.kind in ("normative", "policy") and self.old(d, 200) and d.validity == "有效"
        chosen = self.pick(5, normative)
        if len(chosen) < 5:          # a small corpus (scale < 1): no MD003 cases
            return
        lapsed, period, future, marked, repealed = chosen
        lapsed.valid_until = as_of - timedelta(days=self.rng.randint(30, 150))
        lapsed.body += f"\n本办法自印发之日起施行，有效期至{cn_date(lapsed.valid_until)}。"
        self.fail("MD003", lapsed.key, f"有效期至{lapsed.valid_until}，仍标注有效")
        years = max(1, (as_of - period.pub_date).days // 366)
        period.body += f"\n本办法自{cn_date(period.pub_date)}起施行，有效期{years}年。"
        end = period.pub_date.replace(year=period.pub_date.year + years) - timedelta(days=1)
        if end < as_of:
            period.valid_until = end
            self.fail("MD003", period.key, f"自施行起有效期{years}年，已于{end}到期")
        else:
            self.near("MD003", period.key, f"有效期{years}年，至{end}未到期")
        future.valid_until = as_of + timedelta(days=self.rng.randint(30, 400))
        future.body += f"\n本办法自印发之日起施行，有效期至{cn_date(future.valid_until)}。"
        self.near("MD003", future.key, f"有效期至{future.valid_until}，尚未到期")
        marked.valid_until = as_of - timedelta(days=60)
        marked.validity = "失效"
        marked.body += f"\n本办法自印发之日起施行，有效期至{cn_date(marked.valid_until)}。"
        self.near("MD003", marked.key, "已过有效期且已标注失效")
        later = self.pick(1, lambda d: d.kind in ("normative", "policy") and d.pub_date > repealed.pub_date
                          and d.doc_no is not None)
        if not later:
            return
        later = later[0]
        repealed.repealed_by = later.key
        core = repealed.title.split("《")[1].split("》")[0] if "《" in repealed.title else repealed.title
        later.body += f"\n本办法自印发之日起施行，《{core}》（{repealed.doc_no}）同时废止。"
        self.fail("MD003", repealed.key, f"已被{later.doc_no}废止，仍标注有效")

    def interpretations(self) -> None:
        docs, cal = self.c.docs, self.cal
        with_interp = lambda d: d.interpretation is not None and d.doc_no and self.old(d)
        # IN001: 规范性文件 whose 解读 was never published
        for d in self.pick(3, lambda d: d.kind == "normative" and with_interp(d)):
            j = docs.pop(d.interpretation)
            self.c.column(j.column).docs.remove(j.key)
            d.interpretation = None
        # IN002: 解读 4 to 8 working days after the document; near miss on the 3rd
        for d in self.pick(3, with_interp):
            j = docs[d.interpretation]
            j.pub_date = j.written_date = cal.add_workdays(d.pub_date, INTERP_WORKDAYS + self.rng.randint(1, 5))
        for d in self.pick(1, lambda d: with_interp(d) and d.pub_date.weekday() in (3, 4)):
            j = docs[d.interpretation]
            j.pub_date = j.written_date = cal.add_workdays(d.pub_date, INTERP_WORKDAYS)
            self.near("IN002", j.key, f"解读于文件发布后第{INTERP_WORKDAYS}个工作日发布（跨周末），未超期")
        # IN003: one-way and missing links
        for d, mode in zip(self.pick(4, with_interp), ("doc_only", "doc_only", "interp_only", "none")):
            d.interp_links = docs[d.interpretation].interp_links = mode
        # weak match: no links, no 文号, the 解读 quotes only part of the title (-> review)
        plain_title = lambda d: (with_interp(d) and "《" not in d.title and d.title.startswith("关于印发")
                                 and sum(d.title[4:-3] in o.title for o in docs.values()
                                         if o.kind != "interpretation") == 1)
        for d in self.pick(1, lambda d: d.kind == "normative" and plain_title(d)) or self.pick(1, plain_title):
            j = docs[d.interpretation]
            core = d.title[4:-3]                 # 关于印发<core>的通知
            j.title = f"《{core}》政策解读"
            j.body = f"一、出台背景\n为做好有关工作，现就《{core}》解读如下。\n二、主要内容\n……"
            d.interp_links = j.interp_links = "none"
            note = "解读仅按标题部分匹配，应待复核"
            if d.kind == "normative":
                self.near("IN001", d.key, note)
            self.near("IN002", j.key, note)
            self.near("IN003", d.key, note)
            self.near("IN003", j.key, note)

    # -- what the truth says must fail (documents touched here and by other plantings) -----
    def record(self) -> None:
        docs, cal = self.c.docs, self.cal
        weak = {v.key for v in self.c.near_misses if "复核" in v.note and v.code.startswith("IN")}
        for d in docs.values():
            missing = [f for f in MD001_FIELDS if getattr(d, f) is None]
            if missing:
                self.fail("MD001", d.key, "缺少" + "、".join(missing))
            if d.kind == "normative":
                missing = [f for f in MD002_FIELDS if getattr(d, f) is None]
                if missing:
                    self.fail("MD002", d.key, "规范性文件缺少" + "、".join(missing))
                if d.interpretation is None:
                    self.fail("IN001", d.key, "规范性文件无解读")
            if d.interpretation and d.key not in weak:
                j = docs[d.interpretation]
                if cal.workdays_between(d.pub_date, j.pub_date) > INTERP_WORKDAYS:
                    self.fail("IN002", j.key, "解读晚于文件3个工作日以上发布")
                if d.interp_links in ("doc_only", "none"):
                    self.fail("IN003", j.key, "解读页面未链接回文件")
                if d.interp_links in ("interp_only", "none"):
                    self.fail("IN003", d.key, "文件页面未链接解读")


def plant_rules(corpus: Corpus, rng: random.Random, cal: WorkCalendar) -> None:
    p = Planter(corpus, rng, cal)
    p.site_level()
    p.columns()
    p.metadata()
    p.validity()
    p.interpretations()
    p.record()
