"""The strategic-dependency screen (after SWD(2021) 352), per importer × CN8 product × year.

Pure: a DuckDB connection and a trade table (reporter, partner, product, flow, period, value) in,
DataFrames out; no Django. Columnar on purpose (README Decision 23): the real screen runs over tens
of millions of CN8 × partner rows, so every pass over the trade rows is one DuckDB GROUP BY.

Per importer (the EU27 as one, ``EU``, and each member state on its own) and product-year:
  1. concentration of extra-EU imports across the suppliers they can be attributed to:
     Herfindahl–Hirschman index HHI = Σ s², s = a supplier's share of those imports  (> t1);
  2. importance of extra-EU supply: extra-EU imports ÷ all imports (extra + intra)   (> t2);
  3. substitutability: extra-EU imports ÷ exports (the EU's exports to non-members; a member's
     exports to the world), when exports are loaded; no exports at all meets the criterion (> t3).
A product is *flagged* when it is judged (extra-EU imports at least ``min_extra_imports``) and
meets 1, 2 and 3 — or 1 and 2 when 3 cannot be computed and the rules allow judging without it.
"Intra-EU" means from the 27 members (for a member state: from the 26 others). Imports from
partners Comext cannot name (Q* codes) count in the totals but are no supplier in the HHI.

Supplier risk: the same criteria over the suppliers outside the low-risk groups (e.g. EEA/EFTA and
like-minded partners), i.e. treating low-risk supply like intra-EU supply; single point of failure:
the top supplier holds more than ``spof_share`` of extra-EU imports.

Chaining: CN8 codes change between years (splits, merges). ``families`` joins codes linked by the
CN correspondence table into one family; a year in which a product's own code did not exist is
judged on its family's totals (the screen run on family-aggregated rows), so persistence and
trends never compare a code with a different set of goods silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

EU = "EU27_2020"


@dataclass(frozen=True)
class Rules:
    """A version of the screen's thresholds (curators edit them; results are kept per version)."""

    hhi_threshold: float = 0.4
    extra_share_threshold: float = 0.5
    substitutability_threshold: float = 1.0
    require_substitutability: bool = False  # judge on 1 and 2 when exports are not loaded
    min_extra_imports: float = 0.0  # EUR; smaller product-years are not judged
    persistence_years: int = 2  # flagged in at least this many ...
    persistence_window: int = 3  # ... of the last this many years
    spof_share: float = 0.5
    hhi_rise: float = 0.1  # early warning: HHI up by more than this over the window
    share_jump: float = 0.2  # early warning: a supplier's share up by more than this in a year
    low_risk_groups: tuple[str, ...] = ("eea_efta", "like_minded")
    top_suppliers: int = 10  # supplier rows kept per importer-product-year (the rest: OTHERS)


@dataclass(frozen=True)
class Partners:
    """What the screen needs to know about partner codes."""

    members: frozenset[str]  # EU27 member codes (Eurostat's: EL for Greece)
    unallocated: frozenset[str]  # partner codes no value can be attributed to (Comext Q*)
    groups: dict[str, str] = field(default_factory=dict)  # partner -> risk group

    def frame(self, partners: list[str], rules: Rules) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "partner": partners,
                "intra": [p in self.members for p in partners],
                "unalloc": [p in self.unallocated for p in partners],
                "low_risk": [self.groups.get(p, "") in rules.low_risk_groups for p in partners],
                "risk_group": ["eu" if p in self.members else self.groups.get(p, "other") for p in partners],
            }
        )


AGGREGATE_SQL = """
WITH imp AS (
    SELECT reporter AS importer, partner, {product} AS product, period, SUM(value) AS v
    FROM {table} t {join} WHERE flow = '1' GROUP BY ALL
    UNION ALL
    SELECT '{eu}', partner, {product}, period, SUM(value)
    FROM {table} t {join} WHERE flow = '1' GROUP BY ALL
), j AS (
    SELECT imp.*, c.intra, c.unalloc, c.low_risk,
           NOT c.intra AND NOT c.unalloc AS supplier,
           NOT c.intra AND NOT c.unalloc AND NOT c.low_risk AS risky
    FROM imp JOIN partner_classes c USING (partner)
), exports AS (
    SELECT reporter AS importer, {product} AS product, period, SUM(value) AS x
    FROM {table} t {join} WHERE flow = '2' GROUP BY ALL
    UNION ALL
    SELECT '{eu}', {product}, period, SUM(value) FILTER (WHERE NOT c.intra)
    FROM {table} t {join} JOIN partner_classes c USING (partner) WHERE flow = '2' GROUP BY ALL
), export_years AS (SELECT DISTINCT period FROM {table} WHERE flow = '2')
SELECT importer, product, period,
       SUM(v) AS total,
       COALESCE(SUM(v) FILTER (WHERE intra), 0) AS intra,
       COALESCE(SUM(v) FILTER (WHERE NOT intra), 0) AS extra,
       COALESCE(SUM(v) FILTER (WHERE supplier), 0) AS extra_attributed,
       SUM(v * v) FILTER (WHERE supplier) AS extra_sq,
       arg_max(partner, v) FILTER (WHERE supplier) AS top_partner,
       MAX(v) FILTER (WHERE supplier) AS top_value,
       COUNT(*) FILTER (WHERE supplier AND v > 0) AS suppliers,
       COALESCE(SUM(v) FILTER (WHERE risky), 0) AS risky,
       SUM(v * v) FILTER (WHERE risky) AS risky_sq,
       arg_max(partner, v) FILTER (WHERE risky) AS top_risky_partner,
       MAX(v) FILTER (WHERE risky) AS top_risky_value,
       CASE WHEN period IN (SELECT period FROM export_years)
            THEN COALESCE(ANY_VALUE(e.x), 0) END AS exports
FROM j LEFT JOIN exports e USING (importer, product, period)
GROUP BY importer, product, period
"""

SUPPLIERS_SQL = """
WITH imp AS (
    SELECT reporter AS importer, partner, product, period, SUM(value) AS v
    FROM {table} WHERE flow = '1' GROUP BY ALL
    UNION ALL
    SELECT '{eu}', partner, product, period, SUM(value) FROM {table} WHERE flow = '1' GROUP BY ALL
), ranked AS (
    SELECT imp.*, c.intra, c.risk_group,
           SUM(v) OVER w AS total,
           SUM(CASE WHEN c.intra THEN 0 ELSE v END) OVER w AS extra,
           row_number() OVER (PARTITION BY importer, product, period ORDER BY v DESC, partner) AS rank
    FROM imp JOIN partner_classes c USING (partner)
    WINDOW w AS (PARTITION BY importer, product, period)
)
SELECT importer, product, period, partner, v AS value, intra, risk_group, total, extra, rank
FROM ranked WHERE rank <= {top}
"""


def _register(con: duckdb.DuckDBPyConnection, table: str, partners: Partners, rules: Rules) -> None:
    # TABLE is the caller's own view name (never user input), as in every query below.
    codes = [r[0] for r in con.execute(f"SELECT DISTINCT partner FROM {table}").fetchall()]  # noqa: S608
    con.register("partner_classes", partners.frame(sorted(codes), rules))


def aggregate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    partners: Partners,
    rules: Rules,
    product_map: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One pass: per importer-product-year totals, shares' sums of squares, top suppliers, exports.

    PRODUCT_MAP (columns code, family) replaces each product by its family first (chained runs).
    """
    _register(con, table, partners, rules)
    product, join = "t.product", ""
    if product_map is not None:
        con.register("product_map", product_map)
        product, join = "m.family", "JOIN product_map m ON m.code = t.product"
    sql = AGGREGATE_SQL.format(table=table, product=product, join=join, eu=EU)
    return con.execute(sql).df()


def judge(agg: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The criteria and flags from the aggregates (NaN where a ratio has no denominator)."""
    out = agg.copy()
    for column in ("total", "intra", "extra", "extra_attributed", "risky"):
        out[column] = out[column].astype("float64")
    attributed = out["extra_attributed"].where(out["extra_attributed"] > 0)
    out["hhi"] = out["extra_sq"] / attributed**2
    out["top_share"] = out["top_value"] / attributed
    out["extra_share"] = out["extra"] / out["total"].where(out["total"] > 0)
    exports = out["exports"].astype("float64")
    out["substitutability"] = out["extra"] / exports.where(exports > 0)
    risky = out["risky"].where(out["risky"] > 0)
    out["hhi_risk"] = out["risky_sq"] / risky**2
    out["top_risky_share"] = out["top_risky_value"] / risky
    out["risky_share"] = out["risky"] / out["total"].where(out["total"] > 0)

    out["judged"] = (out["extra"] >= rules.min_extra_imports) & (out["extra_attributed"] > 0)
    out["crit_concentration"] = out["hhi"] > rules.hhi_threshold
    out["crit_extra_share"] = out["extra_share"] > rules.extra_share_threshold
    computable = exports.notna()
    met = (out["substitutability"] > rules.substitutability_threshold) | ((exports == 0) & (out["extra"] > 0))
    out["crit_substitutability"] = met.where(computable).astype("boolean")
    third = (met & computable) if rules.require_substitutability else (met | ~computable)
    out["flagged"] = out["judged"] & out["crit_concentration"] & out["crit_extra_share"] & third
    out["flagged_risk"] = (
        out["judged"]
        & (out["hhi_risk"] > rules.hhi_threshold)
        & (out["risky_share"] > rules.extra_share_threshold)
        & third
    )
    out["spof"] = out["judged"] & (out["top_share"] > rules.spof_share)
    return out.drop(columns=["extra_sq", "risky_sq", "top_value", "top_risky_value"])


def suppliers(con: duckdb.DuckDBPyConnection, table: str, partners: Partners, rules: Rules) -> pd.DataFrame:
    """Each importer-product-year's top suppliers (intra- and extra-EU) with their shares."""
    _register(con, table, partners, rules)
    frame = con.execute(SUPPLIERS_SQL.format(table=table, eu=EU, top=int(rules.top_suppliers))).df()
    frame["share"] = frame["value"] / frame["total"].where(frame["total"] > 0)
    frame["share_of_extra"] = (frame["value"] / frame["extra"].where(frame["extra"] > 0)).where(
        ~frame["intra"]
    )
    return frame


# ---------------------------------------------------------------- chaining CN codes across years


def families(concordance: pd.DataFrame, codes: set[str], periods: list[str]) -> pd.DataFrame:
    """Families of CN8 codes linked by the correspondence rows between the first and last of PERIODS.

    CONCORDANCE: columns ``period`` ('20222023' = from the 2022 to the 2023 nomenclature),
    ``origin``, ``destination`` (CN8, no spaces). Returns (code, family, members) for every code
    in CODES and every code linked to one; ``family`` is the smallest code of the component,
    ``members`` all its codes joined by '+'.
    """
    years = sorted(int(p) for p in periods)
    steps = {f"{y}{y + 1}" for y in range(years[0], years[-1])} if years else set()
    links = concordance[concordance["period"].isin(steps)]
    parent: dict[str, str] = {c: c for c in codes}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for origin, destination in zip(links["origin"], links["destination"], strict=True):
        a, b = find(origin), find(destination)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for c in list(parent):
        groups.setdefault(find(c), []).append(c)
    rows = [(c, root, "+".join(sorted(m))) for root, m in groups.items() for c in m]
    return pd.DataFrame(rows, columns=["code", "family", "members"])


# ---------------------------------------------------------------- persistence and early warning


def history(
    screen: pd.DataFrame, family_screen: pd.DataFrame, fams: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """Add persistence and early-warning columns to SCREEN (one row per importer-product-year).

    A year in which the product's own code has no row is taken from its family's row (when the
    family has more than one code); a year with neither is "not judged" and counts as not flagged,
    and ``years_judged`` says on how many of the window's years the persistence rests.
    """
    screen = screen.copy()
    periods = sorted(screen["period"].unique(), key=int)
    fam = fams.set_index("code")["family"]
    chained = fams.groupby("family")["code"].transform("count") > 1
    multi = set(fams.loc[chained, "family"])
    own = screen.set_index(["importer", "product", "period"])
    fam_rows = family_screen[family_screen["product"].isin(multi)].set_index(
        ["importer", "product", "period"]
    )
    flags: dict[tuple, bool | None] = {}
    for key, judged, flagged in zip(own.index, own["judged"], own["flagged"], strict=True):
        flags[key] = bool(flagged) if judged else None
    hhi = own["hhi"].to_dict()
    for importer, product in own.index.droplevel(2).unique():
        family = fam.get(product, product)
        for period in periods:
            key = (importer, product, period)
            if key in flags or family not in multi:
                continue
            fkey = (importer, family, period)
            if fkey in fam_rows.index:
                row = fam_rows.loc[fkey]
                flags[key] = bool(row["flagged"]) if row["judged"] else None
                hhi[key] = row["hhi"]

    window, need = rules.persistence_window, rules.persistence_years
    persistent, judged_years, flagged_years, newly, left, hhi_up = [], [], [], [], [], []
    for importer, product, period in zip(
        screen["importer"], screen["product"], screen["period"], strict=True
    ):
        y = int(period)
        seen = [flags.get((importer, product, str(y - k))) for k in range(window)]
        judged_years.append(sum(f is not None for f in seen))
        flagged_years.append(sum(bool(f) for f in seen))
        persistent.append(flagged_years[-1] >= need)
        now, before = flags.get((importer, product, str(y))), flags.get((importer, product, str(y - 1)))
        newly.append(bool(now) and before is False)
        left.append(now is False and bool(before))
        old = hhi.get((importer, product, str(y - window + 1)))
        cur = hhi.get((importer, product, str(y)))
        hhi_up.append(bool(pd.notna(old) and pd.notna(cur) and cur - old > rules.hhi_rise))
    screen["years_judged"] = judged_years
    screen["years_flagged"] = flagged_years
    screen["persistent"] = persistent
    screen["newly_flagged"] = newly
    screen["left_list"] = left
    screen["hhi_rising"] = hhi_up
    screen["family"] = [fam.get(p, p) if fam.get(p, p) in multi else "" for p in screen["product"]]
    return screen


def share_jumps(supplier_rows: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Per importer-product-year: the supplier whose share of extra-EU imports rose most since the
    previous year, and by how much (the early warning fires above ``rules.share_jump``)."""
    extra = supplier_rows[~supplier_rows["intra"]][
        ["importer", "product", "period", "partner", "share_of_extra"]
    ]
    prev = extra.assign(period=(extra["period"].astype(int) + 1).astype(str))
    both = extra.merge(
        prev, on=["importer", "product", "period", "partner"], how="left", suffixes=("", "_prev")
    )
    both["jump"] = both["share_of_extra"] - both["share_of_extra_prev"].fillna(0)
    has_prev = both.groupby(["importer", "product"])["period"].transform("min") < both["period"]
    both = both[has_prev].sort_values("jump", ascending=False)
    best = both.drop_duplicates(["importer", "product", "period"])
    best = best.rename(columns={"partner": "jump_partner", "jump": "share_jump"})
    best["share_jumped"] = best["share_jump"] > rules.share_jump
    return best[["importer", "product", "period", "jump_partner", "share_jump", "share_jumped"]]


def churn(screen: pd.DataFrame, importer: str = EU) -> pd.DataFrame:
    """Year-to-year churn of the flagged list: flagged, stayed, entered, left, share that stayed."""
    rows = screen[screen["importer"] == importer]
    periods = sorted(rows["period"].unique(), key=int)
    out = []
    for i, period in enumerate(periods):
        now = set(rows.loc[(rows["period"] == period) & rows["flagged"], "product"])
        entry = {
            "period": period,
            "flagged": len(now),
            "stayed": None,
            "entered": None,
            "left": None,
            "kept_share": None,
        }
        if i:
            prev_rows = rows[rows["period"] == periods[i - 1]]
            before = set(prev_rows.loc[prev_rows["flagged"], "product"])
            entry.update(
                stayed=len(now & before),
                entered=len(now - before),
                left=len(before - now),
                kept_share=(len(now & before) / len(before)) if before else None,
            )
        out.append(entry)
    return pd.DataFrame(out)


def run(
    con: duckdb.DuckDBPyConnection,
    table: str,
    partners: Partners,
    rules: Rules,
    concordance: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole screen: (results per importer-product-year, top supplier rows)."""
    screen = judge(aggregate(con, table, partners, rules), rules)
    periods = sorted(screen["period"].unique(), key=int)
    codes = set(screen["product"])
    empty = pd.DataFrame(columns=["period", "origin", "destination"])
    fams = families(concordance if concordance is not None else empty, codes, periods)
    multi = fams[fams.groupby("family")["code"].transform("count") > 1]
    family_screen = (
        judge(aggregate(con, table, partners, rules, multi[["code", "family"]]), rules)
        if len(multi)
        else screen.iloc[0:0]
    )
    screen = history(screen, family_screen, fams, rules)
    supplier_rows = suppliers(con, table, partners, rules)
    screen = screen.merge(share_jumps(supplier_rows, rules), on=["importer", "product", "period"], how="left")
    screen["share_jumped"] = screen["share_jumped"].fillna(False).astype(bool)
    return screen, supplier_rows
