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
    top_suppliers: int = 10  # the EU importer's supplier rows kept per product-year


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
            }
        )


# The EU as one importer: its partner-level sums (a GROUP BY over the reporters, ~1/27 of the
# rows), kept for the suppliers and the share jumps. Then one pass over all rows: each member
# state's rows as they are (the parser guarantees one row per reporter, partner, product, flow and
# year) plus the EU's, aggregated per importer-product-year with every sum the criteria need.
EU_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE screen_eu AS
SELECT partner, {product} AS product, flow, period, SUM(t.value) AS v
FROM {table} t {join} GROUP BY ALL
"""

AGGREGATE_SQL = """
CREATE OR REPLACE TEMP TABLE screen_agg AS
WITH rows AS (
    SELECT reporter AS importer, partner, {product} AS product, flow, period, {value} AS v
    FROM {table} t {join} {group}
    UNION ALL
    SELECT '{eu}', partner, product, flow, period, v FROM screen_eu
), j AS (
    SELECT rows.*, c.intra, c.unalloc,
           flow = '1' AS imp,
           flow = '1' AND NOT c.intra AND NOT c.unalloc AS supplier,
           flow = '1' AND NOT c.intra AND NOT c.unalloc AND NOT c.low_risk AS risky
    FROM rows JOIN partner_classes c USING (partner)
)
SELECT importer, product, period,
       SUM(v) FILTER (WHERE imp) AS total,
       COALESCE(SUM(v) FILTER (WHERE imp AND intra), 0) AS intra,
       COALESCE(SUM(v) FILTER (WHERE imp AND NOT intra), 0) AS extra,
       COALESCE(SUM(v) FILTER (WHERE supplier), 0) AS extra_attributed,
       SUM(v * v) FILTER (WHERE supplier) AS extra_sq,
       arg_max(partner, v) FILTER (WHERE supplier) AS top_partner,
       MAX(v) FILTER (WHERE supplier) AS top_value,
       COUNT(*) FILTER (WHERE supplier AND v > 0) AS suppliers,
       COALESCE(SUM(v) FILTER (WHERE risky), 0) AS risky,
       SUM(v * v) FILTER (WHERE risky) AS risky_sq,
       arg_max(partner, v) FILTER (WHERE risky) AS top_risky_partner,
       MAX(v) FILTER (WHERE risky) AS top_risky_value,
       COALESCE(SUM(v) FILTER (WHERE flow = '2' AND (importer <> '{eu}' OR NOT intra)), 0) AS exports
FROM j
GROUP BY importer, product, period
HAVING SUM(v) FILTER (WHERE imp) IS NOT NULL
"""

# The EU importer's top suppliers (member states: their top supplier is in the results, and
# their full supplier rows are read from the release's Parquet file when a page needs them).
SUPPLIERS_SQL = """
SELECT '{eu}' AS importer, e.product, e.period, e.partner, e.v AS value, c.intra,
       a.total, a.extra, a.extra_attributed,
       row_number() OVER (PARTITION BY e.product, e.period ORDER BY e.v DESC, e.partner) AS rank
FROM screen_eu e JOIN partner_classes c USING (partner)
JOIN screen_agg a ON a.importer = '{eu}' AND a.product = e.product AND a.period = e.period
WHERE e.flow = '1'
QUALIFY rank <= {top}
"""

# The early warning on supplier shares: a supplier's share of attributable extra-EU imports
# against its share the year before. For the EU every supplier counts; for a member state its
# current top supplier (the member's rows are not kept apart).
JUMPS_SQL = """
WITH eu AS (
    SELECT e.product, e.period, e.partner, e.v / NULLIF(a.extra_attributed, 0) AS share
    FROM screen_eu e JOIN partner_classes c USING (partner)
    JOIN screen_agg a ON a.importer = '{eu}' AND a.product = e.product AND a.period = e.period
    WHERE e.flow = '1' AND NOT c.intra AND NOT c.unalloc
), eu_jump AS (
    SELECT '{eu}' AS importer, n.product, n.period, n.partner, n.share - COALESCE(b.share, 0) AS jump
    FROM eu n
    JOIN (SELECT DISTINCT product, period FROM eu) y
      ON y.product = n.product AND y.period = CAST(CAST(n.period AS INTEGER) - 1 AS VARCHAR)
    LEFT JOIN eu b ON b.product = n.product AND b.partner = n.partner AND b.period = y.period
), member_jump AS (
    SELECT a.importer, a.product, a.period, a.top_partner AS partner,
           a.top_value / NULLIF(a.extra_attributed, 0)
             - COALESCE(t.value / NULLIF(p.extra_attributed, 0), 0) AS jump
    FROM screen_agg a
    JOIN screen_agg p ON p.importer = a.importer AND p.product = a.product
                     AND p.period = CAST(CAST(a.period AS INTEGER) - 1 AS VARCHAR)
    LEFT JOIN {table} t ON t.reporter = a.importer AND t.product = a.product AND t.partner = a.top_partner
                       AND t.period = p.period AND t.flow = '1'
    WHERE a.importer <> '{eu}' AND a.top_partner IS NOT NULL
)
SELECT importer, product, period, arg_max(partner, jump) AS jump_partner, MAX(jump) AS share_jump
FROM (SELECT * FROM eu_jump UNION ALL SELECT * FROM member_jump)
GROUP BY ALL
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

    Leaves the aggregates in the connection's temp table ``screen_agg`` (for :func:`suppliers`).
    PRODUCT_MAP (columns code, family) replaces each product by its family first (chained runs).
    """
    _register(con, table, partners, rules)
    product, value, join, group = "t.product", "t.value", "", ""
    if product_map is not None:
        con.register("product_map", product_map)
        product, value = "m.family", "SUM(t.value)"
        join, group = "JOIN product_map m ON m.code = t.product", "GROUP BY ALL"
    con.execute(EU_ROWS_SQL.format(table=table, product=product, join=join))
    con.execute(
        AGGREGATE_SQL.format(table=table, product=product, value=value, join=join, group=group, eu=EU)
    )
    agg = con.execute("SELECT * FROM screen_agg").df()
    export_years = {
        r[0]
        for r in con.execute(f"SELECT DISTINCT period FROM {table} WHERE flow = '2'").fetchall()  # noqa: S608
    }  # noqa: S608
    agg.loc[~agg["period"].isin(export_years), "exports"] = float("nan")
    return agg


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


def suppliers(con: duckdb.DuckDBPyConnection, partners: Partners, rules: Rules) -> pd.DataFrame:
    """The EU importer's top suppliers (intra- and extra-EU) per product-year with their shares,
    from the tables :func:`aggregate` left in the connection."""
    frame = con.execute(SUPPLIERS_SQL.format(eu=EU, top=int(rules.top_suppliers))).df()
    frame["share"] = frame["value"] / frame["total"].where(frame["total"] > 0)
    attributable = ~frame["intra"] & ~frame["partner"].isin(partners.unallocated)
    frame["share_of_extra"] = (
        frame["value"] / frame["extra_attributed"].where(frame["extra_attributed"] > 0)
    ).where(attributable)
    groups = partners.groups
    frame["risk_group"] = [
        "eu" if intra else groups.get(p, "other")
        for p, intra in zip(frame["partner"], frame["intra"], strict=True)
    ]
    return frame.drop(columns=["extra_attributed"])


def share_jumps(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Per importer-product-year: the supplier whose share of extra-EU imports rose most since the
    previous year, and by how much (the early warning fires above ``Rules.share_jump``)."""
    return con.execute(JUMPS_SQL.format(table=table, eu=EU)).df()


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


HISTORY_SQL = """
WITH h AS (
    SELECT importer, product, CAST(period AS INTEGER) AS y, own, flag, hhi FROM hist
), w AS (
    SELECT importer, product, y, own,
           COUNT(flag) OVER win AS years_judged,
           COUNT(flag) FILTER (WHERE flag = 1) OVER win AS years_flagged,
           flag,
           MAX(flag) OVER (PARTITION BY importer, product ORDER BY y
                           RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING) AS before,
           hhi - MAX(hhi) OVER (PARTITION BY importer, product ORDER BY y
                                RANGE BETWEEN {back} PRECEDING AND {back} PRECEDING) AS rise
    FROM h
    WINDOW win AS (PARTITION BY importer, product ORDER BY y RANGE BETWEEN {back} PRECEDING AND CURRENT ROW)
)
SELECT s.*, w.years_judged, w.years_flagged, w.years_flagged >= {need} AS persistent,
       COALESCE(w.flag = 1 AND w.before = 0, false) AS newly_flagged,
       COALESCE(w.flag = 0 AND w.before = 1, false) AS left_list,
       COALESCE(w.rise > {rise}, false) AS hhi_rising,
       COALESCE(f.family, '') AS family,
       j.jump_partner, j.share_jump
FROM screen s
JOIN w ON w.own AND w.importer = s.importer AND w.product = s.product AND w.y = CAST(s.period AS INTEGER)
LEFT JOIN chained f ON f.code = s.product
LEFT JOIN jumps j ON j.importer = s.importer AND j.product = s.product AND j.period = s.period
"""


def history(
    screen: pd.DataFrame,
    family_screen: pd.DataFrame,
    fams: pd.DataFrame,
    rules: Rules,
    jumps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add persistence and early-warning columns to SCREEN (one row per importer-product-year),
    and the share jumps (JUMPS, from :func:`share_jumps`).

    A year in which the product's own code has no row is taken from its family's row (when the
    family has more than one code); a year with neither is "not judged" and counts as not flagged,
    and ``years_judged`` says on how many of the window's years the persistence rests.
    """
    keys = ["importer", "product", "period"]
    own = screen[keys].assign(
        own=True, flag=screen["flagged"].astype("float64").where(screen["judged"]), hhi=screen["hhi"]
    )
    chained = fams[fams.groupby("family")["code"].transform("count") > 1][["code", "family"]]
    borrowed = own.iloc[0:0]
    if len(chained) and len(family_screen):
        fam = (
            family_screen[keys]
            .assign(
                flag=family_screen["flagged"].astype("float64").where(family_screen["judged"]),
                hhi=family_screen["hhi"],
            )
            .rename(columns={"product": "family"})
        )
        pairs = (
            screen[["importer", "product"]]
            .drop_duplicates()
            .merge(chained, left_on="product", right_on="code")
        )
        candidates = pairs.merge(fam, on=["importer", "family"])[
            ["importer", "product", "period", "flag", "hhi"]
        ]
        present = set(zip(screen["importer"], screen["product"], screen["period"], strict=True))
        mask = [
            k not in present
            for k in zip(candidates["importer"], candidates["product"], candidates["period"], strict=True)
        ]
        borrowed = candidates[mask].assign(own=False)
    con = duckdb.connect()
    try:
        con.register("screen", screen)
        con.register("hist", pd.concat([own, borrowed[own.columns]], ignore_index=True))
        con.register("chained", chained)
        con.register(
            "jumps",
            jumps
            if jumps is not None
            else pd.DataFrame(columns=keys + ["jump_partner", "share_jump"]).astype(str),
        )
        sql = HISTORY_SQL.format(
            back=int(rules.persistence_window) - 1,
            need=int(rules.persistence_years),
            rise=float(rules.hhi_rise),
        )
        out = con.execute(sql).df()
    finally:
        con.close()
    out["share_jumped"] = (out["share_jump"].astype("float64") > rules.share_jump).fillna(False).astype(bool)
    out["share_jump"] = out["share_jump"].astype("float64")
    out["jump_partner"] = out["jump_partner"].fillna("")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


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
    return pd.DataFrame(out, columns=["period", "flagged", "stayed", "entered", "left", "kept_share"])


def run(
    con: duckdb.DuckDBPyConnection,
    table: str,
    partners: Partners,
    rules: Rules,
    concordance: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole screen: (results per importer-product-year, the EU's top supplier rows)."""
    screen = judge(aggregate(con, table, partners, rules), rules)
    supplier_rows = suppliers(con, partners, rules)
    jumps = share_jumps(con, table)
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
    return history(screen, family_screen, fams, rules, jumps), supplier_rows
