"""Plant the cases of the rule set (every code but TM001, planted in corpus.py, and LK*) in a
corpus truth: failures go to ``corpus.violations``, cases built to sit just inside a rule to
``corpus.near_misses`` (a note containing 复核 marks a case the rule must send to review).

Site-level codes (ID001, DI001, DI002, FR001, TM002) have one site per style and seed: the seed
chooses a plan (:data:`SITE_PLANS`), so a style served with seeds 1-4 carries several failing and
passing cases of each, and the default corpus (seed 1) shows a mix. AV001 is about the live
server, not the truth: it is planted by the testbed's home-page outages (``Testbed(outage=…)``).
Called by :func:`testbed.build.build_corpus` right before it returns.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from urllib.parse import urlsplit

from testbed.corpus import (
    Column, Corpus, Doc, Violation, _random_workday, _working_days_back,
)
from data import load_toml
from testbed.dates import DateOracle as WorkCalendar
from testbed.render import date_text

#: Site-level plans; seed k uses plan (k - 1) % 4. Over seeds 1-4 every site-level code fails
#: at least twice, each time another way, and passes at least twice, with near misses (a home
#: page updated 14 days ago, a department's report on 1月31日 itself, the government's own
#: report in March). Codes: ID001 -> the missing footer part; DI001 -> the missing section
#: part; DI002 -> missing guide elements; FR001 -> age in days of the newest home item
#: (default 12); TM002 -> late_department | missing | department_deadline_day |
#: government_march (default).
SITE_PLANS = (
    {"ID001": "police", "DI001": "rules"},
    {"DI002": ("hours", "fax"), "TM002": "late_department", "FR001": 14},
    {"ID001": "site_code", "DI001": "guide", "FR001": 15, "TM002": "missing"},
    {"DI002": ("online", "address"), "FR001": 30, "TM002": "department_deadline_day"},
)
SITE_CODES = ("ID001", "DI001", "DI002", "FR001", "TM002")
#: site-level codes judged per 政府信息公开 section (per organ on a multi-organ hub)
SECTION_CODES = ("DI001", "DI002", "TM002")
FOOTER_NAMES = {"host": "主办单位", "site_code": "网站标识码", "icp": "ICP备案号", "police": "公安备案号",
                "conac": "党政机关标识", "contact": "联系方式"}
SECTION_NAMES = {"guide": "政府信息公开指南", "rules": "政府信息公开制度", "annual_report": "政府信息公开年报"}
GUIDE_NAMES = {"office": "工作机构", "address": "办公地址", "hours": "办公时间", "phone": "联系电话",
               "fax": "传真号码", "online": "互联网联系方式", "apply": "申请方式"}
#: empty columns added to the 法定主动公开内容 (FR003): (key, name, type)
EMPTY_COLUMNS = [("zdxm", "重大建设项目", "project"), ("gyzy", "社会公益事业", "welfare")]
INTERP_WORKDAYS = 3           # IN002 limit (data/thresholds.toml [interpretation].max_workdays)
#: MD001 fields (data/thresholds.toml [metadata].required) and MD002 fields of a 规范性文件
MD001_FIELDS = ("index_no", "publisher", "written_date", "pub_date")
MD002_FIELDS = ("doc_no", "written_date", "pub_date", "validity")


class SiteViolation(Violation):
    """A site-level failure. Site-level findings carry the site's URL (the page concerned is in
    their evidence), known only once a style has bound the corpus: derived from a document's.
    On a multi-organ hub the section-level codes (:data:`SECTION_CODES`) are judged per organ
    and carry the organ's section page (``SiteTruth.section_url``, set by the style)."""

    def __init__(self, corpus: Corpus, code: str, note: str):
        self._corpus = corpus
        super().__init__(code, "site", note)

    @property
    def url(self) -> str | None:
        if self.code in SECTION_CODES and self._corpus.site.section_url:
            return self._corpus.site.section_url
        bound = next((d.url for d in self._corpus.docs.values() if d.url), None)
        return f"{urlsplit(bound).scheme}://{urlsplit(bound).netloc}/" if bound else None

    @url.setter
    def url(self, value) -> None:   # set by the dataclass __init__; always derived
        pass


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
        """Plant the seed's plan (:data:`SITE_PLANS`): failures, and near misses for the rest."""
        plan = SITE_PLANS[(self.c.seed - 1) % len(SITE_PLANS)]
        site, as_of = self.c.site, self.c.as_of
        if part := plan.get("ID001"):
            site.footer[part] = None
            self.fail("ID001", "site", f"页面底部缺少{FOOTER_NAMES[part]}")
        else:
            self.near("ID001", "site", "页面底部标识齐全")
        if part := plan.get("DI001"):
            site.sections[part] = False
            self.fail("DI001", "site", f"公开专栏缺少{SECTION_NAMES[part]}")
        else:
            self.near("DI001", "site", "公开专栏栏目齐全")
        if parts := plan.get("DI002"):
            for part in parts:
                site.guide[part] = None
            self.fail("DI002", "site", "指南缺少" + "、".join(GUIDE_NAMES[p] for p in parts))
        elif not site.sections["guide"]:
            self.near("DI002", "site", "无指南栏目（由DI001报告），不评估指南要素")
        else:
            self.near("DI002", "site", "指南要素齐全")
        age = plan.get("FR001", 12)          # days between the newest home item and as_of
        newest = max(d for _, _, d in site.home_news)
        shift = newest - (as_of - timedelta(days=age))
        site.home_news = [(k, t, d - shift) for k, t, d in site.home_news]
        if age > 14:
            self.fail("FR001", "site", f"首页最新信息为{age}天前，超过2周")
        else:
            self.near("FR001", "site", f"首页最新信息为{age}天前，未超过2周")
        last = as_of.year - 1
        reports = [r for r in site.annual_reports if r[1] != last]
        mode = plan.get("TM002", "government_march")
        department = f"明湖市人民政府办公室{last}年政府信息公开工作年度报告"
        if mode == "late_department":     # a department's report after 1月31日
            pub = date(last + 1, 2, self.rng.randint(5, 25))
            reports.append((f"r{last}", last, pub, department))
            self.fail("TM002", "site", f"{last}年度报告{pub}公布，晚于1月31日")
        elif mode == "missing":
            self.fail("TM002", "site", f"缺少{last}年度报告")
        elif mode == "department_deadline_day":
            pub = date(last + 1, 1, 31)
            reports.append((f"r{last}", last, pub, department))
            self.near("TM002", "site", f"部门{last}年度报告于截止日{pub}公布，未逾期")
        else:                             # the government's own report: 3月31日 is its deadline
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
        self.keep_fresh({"czyjs", "rsxx"})

    def keep_fresh(self, planted: set[str]) -> None:
        """Every column not planted stale is fresh: in a small corpus a column's newest item can
        fall outside its FR002 window by chance, so its newest untouched document is moved inside
        the window (keeping its 成文→发布 lag; a 解读 pair moves together, same working-day gap)."""
        windows = load_toml("thresholds.toml")["freshness"]["by_type"]
        cal = self.cal
        for col in self.c.columns:
            window = windows.get(col.type)
            if col.key in planted or not col.docs or window is None:
                continue
            days = window.get("days") or 30 * window["months"]      # 30-day months: on the safe side
            docs = self.c.docs_in(col.key)
            if docs[0].pub_date > self.c.as_of - timedelta(days=days // 2):
                continue
            untouched = [d for d in docs if d.key not in self.taken
                         and (d.interpretation or d.interprets or d.key) not in self.taken]
            if not untouched:
                continue
            d = min(untouched, key=lambda x: bool(x.interpretation or x.interprets))   # a lone one first
            old = d.pub_date
            self.move(d, _random_workday(self.rng, cal, self.c.as_of - timedelta(days=days // 2),
                                         self.c.as_of - timedelta(days=7)))
            if d.interpretation:             # its 解读 follows it by the same number of working days
                j = self.c.docs[d.interpretation]
                gap = cal.workdays_between(old, j.pub_date)
                j.pub_date = j.written_date = cal.add_workdays(d.pub_date, gap) if gap else d.pub_date
            elif d.interprets:               # the document it interprets precedes it likewise
                pol = self.c.docs[d.interprets]
                gap = cal.workdays_between(pol.pub_date, old)
                self.move(pol, _working_days_back(cal, d.pub_date, gap) if gap else d.pub_date)

    def move(self, d: Doc, pub: date) -> None:
        """Publish ``d`` on ``pub`` instead, keeping its 成文→发布 lag in working days."""
        lag = self.cal.workdays_between(d.written_date, d.pub_date) if d.written_date else None
        d.pub_date = pub
        if lag is not None:
            d.written_date = _working_days_back(self.cal, pub, lag) if lag else pub

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
        lapsed.body += f"\n本办法自印发之日起施行，有效期至{date_text(lapsed.valid_until, 'cn')}。"
        self.fail("MD003", lapsed.key, f"有效期至{lapsed.valid_until}，仍标注有效")
        years = max(1, (as_of - period.pub_date).days // 366)
        period.body += f"\n本办法自{date_text(period.pub_date, 'cn')}起施行，有效期{years}年。"
        end = period.pub_date.replace(year=period.pub_date.year + years) - timedelta(days=1)
        if end < as_of:
            period.valid_until = end
            self.fail("MD003", period.key, f"自施行起有效期{years}年，已于{end}到期")
        else:
            self.near("MD003", period.key, f"有效期{years}年，至{end}未到期")
        future.valid_until = as_of + timedelta(days=self.rng.randint(30, 400))
        future.body += f"\n本办法自印发之日起施行，有效期至{date_text(future.valid_until, 'cn')}。"
        self.near("MD003", future.key, f"有效期至{future.valid_until}，尚未到期")
        marked.valid_until = as_of - timedelta(days=60)
        marked.validity = "失效"
        marked.body += f"\n本办法自印发之日起施行，有效期至{date_text(marked.valid_until, 'cn')}。"
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

    def needs_interpretation(self, d) -> bool:
        """IN001's scope (2021 and 2023 政务公开 work plans): every 规范性文件, and a 政策文件 with a
        文号 issued by the site's own government or its office."""
        own = {self.c.site_name, self.c.site_name + "办公室"}
        return d.kind == "normative" or (d.kind == "policy" and bool(d.doc_no) and d.publisher in own)

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
            if self.needs_interpretation(d):
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
            if self.needs_interpretation(d) and d.interpretation is None:
                self.fail("IN001", d.key, "规范性文件无解读" if d.kind == "normative" else "本级政府（办公室）政策文件无解读")
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
