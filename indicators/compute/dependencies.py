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


# Two passes over the trade rows, each one DuckDB GROUP BY (README Decision 23):
#  1. the EU as one importer: partner-level sums over the reporters (``screen_eu``, ~1/27 of the
#     rows), kept for the EU's criteria, its suppliers and the share jumps;
#  2. each member state's rows as they are (the parser guarantees one row per reporter, partner,
#     product, flow and year), summed per importer-product-year *and partner class* ``k`` with four
#     plain aggregates (``screen_parts``, keyed by one BIGINT; the EU's from ``screen_eu`` are added
#     to it). Thirteen filtered aggregates per row cost about twice as much as this split; the
#     criteria's sums are then read off the few class rows per importer-product-year (``screen_agg``).
# (A third look at the rows, for the members' share jumps, reads only the year-before values of
# top suppliers that changed: ``JUMPS_SQL``.)
# The top supplier: the largest value, and on a tie the first partner code (deterministic, as
# pandas' idxmax over partners in code order; arg_max would keep whichever tied row a thread saw
# first): ``TOP_PACKED`` / ``TOP_STRUCT``. Values are never NULL (the parser rejects them).
# Classes (``screen_classes``, one row per partner: ``k_import``, ``k_export``): imports 0
# intra-EU, 1 unallocated, 2 low-risk supplier, 3 other supplier; exports 4 to members, 5 to
# non-members. Partners are small integer ids (``pid``, in code order) inside the passes; names
# are joined back at the end.
EU_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE screen_eu AS
SELECT partner, {product} AS product, flow, period, SUM(t.value) AS v
FROM {table} t {join} GROUP BY ALL
"""

# Integer keys: the member pass groups on one BIGINT (importer, product and year ids, in code
# order, and the class), about a third cheaper than grouping on the four columns; the ids
# (``screen_importers``, ``screen_products``, ``screen_periods``) are small tables joined in.
KEYS_SQL = """
CREATE OR REPLACE TEMP TABLE screen_products AS
SELECT product, CAST(row_number() OVER (ORDER BY product) - 1 AS BIGINT) AS id
FROM (SELECT DISTINCT product FROM screen_eu);
CREATE OR REPLACE TEMP TABLE screen_periods AS
SELECT period, CAST(row_number() OVER (ORDER BY period) - 1 AS BIGINT) AS id
FROM (SELECT DISTINCT period FROM screen_eu);
CREATE OR REPLACE TEMP TABLE screen_importers AS
SELECT importer, CAST(row_number() OVER (ORDER BY importer) - 1 AS BIGINT) AS id
FROM (SELECT DISTINCT reporter AS importer FROM {table} UNION SELECT '{eu}');
"""

# The top supplier of a class: the largest value, on a tie the first partner code. Packed into
# one DOUBLE, value × P + (P − 1 − pid) (P partners), when every value is a whole number below
# 2^53 / P, so that the packing is exact and orders as (value, −pid) does: one plain MAX. Any
# other value (a fraction, a huge number) and the pass is rerun with the struct {value, −pid}
# (the same order, about a quarter slower). ``ok`` says whether the packing held.
TOP_PACKED = (
    "MAX(v * {p} + ({p} - 1 - pid)) FILTER (WHERE k IN (2, 3)) AS top, "
    "bool_and(v = trunc(v) AND v < {limit}) AS ok"
)
TOP_STRUCT = "MAX({{'v': v, 'p': -pid}}) FILTER (WHERE k IN (2, 3)) AS top, true AS ok"

PARTS_SQL = """
{verb} screen_parts {as_}
SELECT key, SUM(v) AS v, SUM(v * v) AS sq, {top}, COUNT(*) FILTER (WHERE v > 0) AS n
FROM (
    SELECT r.v, c.pid, CASE r.flow WHEN '1' THEN c.k_import ELSE c.k_export END AS k,
           (({importer} * {np} + p.id) * {ny} + y.id) * 8 + k AS key
    FROM ({rows}) r
    JOIN screen_classes c ON c.partner = r.partner
    JOIN screen_products p ON p.product = r.product
    JOIN screen_periods y ON y.period = r.period
    {importer_join}
    WHERE r.flow IN ('1', '2')
)
GROUP BY key
"""

AGGREGATE_SQL = """
CREATE OR REPLACE TEMP TABLE screen_agg AS
WITH a AS (
    SELECT key // 8 AS ipy,
           SUM(v) FILTER (WHERE k < 4) AS total,
           COALESCE(SUM(v) FILTER (WHERE k = 0), 0) AS intra,
           COALESCE(SUM(v) FILTER (WHERE k BETWEEN 1 AND 3), 0) AS extra,
           COALESCE(SUM(v) FILTER (WHERE k IN (2, 3)), 0) AS extra_attributed,
           SUM(sq) FILTER (WHERE k IN (2, 3)) AS extra_sq,
           MAX(top) FILTER (WHERE k IN (2, 3)) AS top,
           CAST(COALESCE(SUM(n) FILTER (WHERE k IN (2, 3)), 0) AS BIGINT) AS suppliers,
           COALESCE(SUM(v) FILTER (WHERE k = 3), 0) AS risky,
           SUM(sq) FILTER (WHERE k = 3) AS risky_sq,
           MAX(top) FILTER (WHERE k = 3) AS top_risky,
           COALESCE(SUM(v) FILTER (WHERE k = 5 OR (k = 4 AND key // (8 * {np} * {ny}) <> {eu_id})), 0)
               AS exports
    FROM (SELECT *, key % 8 AS k FROM screen_parts) GROUP BY ALL
    HAVING SUM(v) FILTER (WHERE k < 4) IS NOT NULL
)
SELECT i.importer, pr.product, y.period, a.total, a.intra, a.extra, a.extra_attributed, a.extra_sq,
       p.partner AS top_partner, {top_value} AS top_value, a.suppliers, a.risky, a.risky_sq,
       q.partner AS top_risky_partner, {top_risky_value} AS top_risky_value, a.exports
FROM a
JOIN screen_importers i ON i.id = a.ipy // ({np} * {ny})
JOIN screen_products pr ON pr.id = a.ipy // {ny} % {np}
JOIN screen_periods y ON y.id = a.ipy % {ny}
LEFT JOIN screen_partners p ON p.pid = {top_pid}
LEFT JOIN screen_partners q ON q.pid = {top_risky_pid}
ORDER BY a.ipy
"""


def _top_decoding(packed: bool, partners: int) -> dict[str, str]:
    """SQL reading the top supplier's value and partner id off AGGREGATE_SQL's ``top``/``top_risky``."""
    out = {}
    for name in ("top", "top_risky"):
        if packed:
            whole = f"CAST(a.{name} AS BIGINT)"
            out[f"{name}_value"] = f"CAST({whole} // {partners} AS DOUBLE)"
            out[f"{name}_pid"] = f"{partners} - 1 - {whole} % {partners}"
        else:
            out[f"{name}_value"] = f"a.{name}.v"
            out[f"{name}_pid"] = f"-a.{name}.p"
    return out


# The EU importer's top suppliers (member states: their top supplier is in the results, and
# their full supplier rows are read from the release's Parquet file when a page needs them).
SUPPLIERS_SQL = """
SELECT '{eu}' AS importer, e.product, e.period, e.partner, e.v AS value, c.intra,
       a.total, a.extra,
       row_number() OVER (PARTITION BY e.product, e.period ORDER BY e.v DESC, e.partner) AS rank,
       CASE WHEN a.total > 0 THEN e.v / a.total END AS share,
       CASE WHEN c.supplier AND a.extra_attributed > 0 THEN e.v / a.extra_attributed END AS share_of_extra,
       c.risk_group
FROM screen_eu e JOIN screen_partners c USING (partner)
JOIN screen_agg a ON a.importer = '{eu}' AND a.product = e.product AND a.period = e.period
WHERE e.flow = '1'
QUALIFY rank <= {top}
"""

# The early warning on supplier shares: a supplier's share of attributable extra-EU imports
# against its share the year before. For the EU every supplier counts; for a member state its
# current top supplier, whose value the year before is its top value then when it was the top
# supplier then too, and is otherwise looked up in the trade rows (a join against the small set
# of wanted keys; no lookup at all when no member's top supplier changed).
JUMPS_SQL = """
WITH eu AS (
    SELECT e.product, e.period, e.partner, e.v / NULLIF(a.extra_attributed, 0) AS share
    FROM screen_eu e JOIN screen_partners c USING (partner)
    JOIN screen_agg a ON a.importer = '{eu}' AND a.product = e.product AND a.period = e.period
    WHERE e.flow = '1' AND c.supplier
), eu_jump AS (
    SELECT '{eu}' AS importer, n.product, n.period, n.partner, n.share - COALESCE(b.share, 0) AS jump
    FROM eu n
    JOIN (SELECT DISTINCT product, period FROM eu) y
      ON y.product = n.product AND y.period = CAST(CAST(n.period AS INTEGER) - 1 AS VARCHAR)
    LEFT JOIN eu b ON b.product = n.product AND b.partner = n.partner AND b.period = y.period
), wanted AS (
    SELECT a.importer, a.product, a.period, p.period AS before, a.top_partner,
           a.top_value / NULLIF(a.extra_attributed, 0) AS share, p.extra_attributed AS before_attributed,
           CASE WHEN p.top_partner = a.top_partner THEN p.top_value END AS kept_top_value
    FROM screen_agg a
    JOIN screen_agg p ON p.importer = a.importer AND p.product = a.product
                     AND p.period = CAST(CAST(a.period AS INTEGER) - 1 AS VARCHAR)
    WHERE a.importer <> '{eu}' AND a.top_partner IS NOT NULL
), found AS (
    SELECT w.importer, w.product, w.period, t.value
    FROM (SELECT * FROM wanted WHERE kept_top_value IS NULL) w
    JOIN {table} t ON t.reporter = w.importer AND t.product = w.product
                                AND t.partner = w.top_partner AND t.period = w.before
    WHERE t.flow = '1' AND t.period IN ({before})
), member_jump AS (
    SELECT w.importer, w.product, w.period, w.top_partner AS partner,
           w.share - COALESCE(COALESCE(w.kept_top_value, f.value) / NULLIF(w.before_attributed, 0), 0) AS jump
    FROM wanted w LEFT JOIN found f USING (importer, product, period)
)
SELECT importer, product, period, arg_max(partner, jump) AS jump_partner, MAX(jump) AS share_jump
FROM (SELECT * FROM eu_jump UNION ALL SELECT * FROM member_jump)
GROUP BY ALL
"""


def _register(con: duckdb.DuckDBPyConnection, codes: list[str], partners: Partners, rules: Rules) -> None:
    """The partner tables the passes join: ``screen_partners`` (one row per partner) and
    ``screen_classes`` (one per partner, with its import and export classes ``k``)."""
    frame = partners.frame(sorted(codes), rules)
    frame["pid"] = range(len(frame))
    frame["supplier"] = ~frame["intra"] & ~frame["unalloc"]
    frame["risk_group"] = [
        "eu" if intra else partners.groups.get(p, "other")
        for p, intra in zip(frame["partner"], frame["intra"], strict=True)
    ]
    classes = frame[["partner", "pid"]].assign(
        k_import=(~frame["intra"]).astype(int)
        * (1 + frame["supplier"].astype(int) * (2 - frame["low_risk"].astype(int))),
        k_export=4 + (~frame["intra"]).astype(int),
    )
    con.register("screen_partners_frame", frame)
    con.register("screen_classes_frame", classes)
    con.execute("CREATE OR REPLACE TEMP TABLE screen_partners AS SELECT * FROM screen_partners_frame")
    con.execute("CREATE OR REPLACE TEMP TABLE screen_classes AS SELECT * FROM screen_classes_frame")
    con.unregister("screen_partners_frame")
    con.unregister("screen_classes_frame")


def aggregate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    partners: Partners,
    rules: Rules,
    product_map: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per importer-product-year totals, shares' sums of squares, top suppliers, exports.

    Leaves its tables in the connection (``screen_eu``, ``screen_agg``, ...) for
    :func:`suppliers` and :func:`share_jumps`. PRODUCT_MAP (columns code, family) replaces each
    product by its family first (chained runs).
    """
    # TABLE is the caller's own view name (never user input), as in every query below.
    product, join = "t.product", ""
    rows = f"SELECT reporter, partner, product, flow, period, value AS v FROM {table}"  # noqa: S608
    if product_map is not None:
        con.register("product_map", product_map)
        product, join = "m.family", "JOIN product_map m ON m.code = t.product"
        rows = (
            f"SELECT t.reporter, t.partner, m.family AS product, t.flow, t.period, SUM(t.value) AS v "  # noqa: S608
            f"FROM {table} t {join} GROUP BY ALL"
        )
    con.execute(EU_ROWS_SQL.format(table=table, product=product, join=join))
    codes = [r[0] for r in con.execute("SELECT DISTINCT partner FROM screen_eu").fetchall()]
    _register(con, codes, partners, rules)
    con.execute(KEYS_SQL.format(table=table, eu=EU))
    (np_, ny, eu_id) = con.execute(
        "SELECT (SELECT count(*) FROM screen_products), (SELECT count(*) FROM screen_periods), "
        "(SELECT id FROM screen_importers WHERE importer = ?)",
        [EU],
    ).fetchone()
    p = max(len(codes), 1)
    sizes = {"np": max(np_, 1), "ny": max(ny, 1)}
    eu_rows = "SELECT partner, product, flow, period, v FROM screen_eu"
    for packed in (True, False):
        top = (TOP_PACKED if packed else TOP_STRUCT).format(p=p, limit=float(2**53 // p))
        con.execute(
            PARTS_SQL.format(
                verb="CREATE OR REPLACE TEMP TABLE",
                as_="AS",
                top=top,
                importer="i.id",
                importer_join="JOIN screen_importers i ON i.importer = r.reporter",
                rows=rows,
                **sizes,
            )
        )
        con.execute(
            PARTS_SQL.format(
                verb="INSERT INTO",
                as_="",
                top=top,
                importer=str(eu_id),
                importer_join="",
                rows=eu_rows,
                **sizes,
            )
        )
        if not packed or con.execute("SELECT COALESCE(bool_and(ok), true) FROM screen_parts").fetchone()[0]:
            break
    con.execute(AGGREGATE_SQL.format(eu_id=eu_id, **sizes, **_top_decoding(packed, p)))
    agg = con.execute("SELECT * FROM screen_agg").df()
    # Criterion 3 is computable in the years for which any exports are loaded.
    years_from = "screen_eu" if product_map is None else table
    export_years = {
        r[0]
        for r in con.execute(f"SELECT DISTINCT period FROM {years_from} WHERE flow = '2'").fetchall()  # noqa: S608
    }
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
    return con.execute(SUPPLIERS_SQL.format(eu=EU, top=int(rules.top_suppliers))).df()


def share_jumps(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Per importer-product-year: the supplier whose share of extra-EU imports rose most since the
    previous year, and by how much (the early warning fires above ``Rules.share_jump``)."""
    periods = {r[0] for r in con.execute("SELECT DISTINCT period FROM screen_agg").fetchall()}
    # Only the years some later year looks back to are read from the trade rows (periods are the
    # parser's four-digit years).
    before = sorted(str(int(p) - 1) for p in periods if str(int(p) - 1) in periods)
    listed = ", ".join(f"'{p}'" for p in before if p.isdigit()) or "NULL"
    return con.execute(JUMPS_SQL.format(table=table, eu=EU, before=listed)).df()


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


# Persistence and early warnings over the few small key columns (the screen's own frame is not
# sent through DuckDB): the window functions run on importer-product series, ``i`` is the row of
# SCREEN each result belongs to.
HISTORY_SQL = """
WITH h AS (
    SELECT importer, product, period, CAST(period AS INTEGER) AS y, i, flag, hhi FROM hist_own
    {borrowed}
), w AS (
    SELECT importer, product, period, i,
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
SELECT w.i, w.years_judged, w.years_flagged, w.years_flagged >= {need} AS persistent,
       COALESCE(w.flag = 1 AND w.before = 0, false) AS newly_flagged,
       COALESCE(w.flag = 0 AND w.before = 1, false) AS left_list,
       COALESCE(w.rise > {rise}, false) AS hhi_rising,
       COALESCE(f.family, '') AS family,
       j.jump_partner, j.share_jump
FROM w
LEFT JOIN chained f ON f.code = w.product
LEFT JOIN jumps j ON j.importer = w.importer AND j.product = w.product AND j.period = w.period
WHERE w.i IS NOT NULL
ORDER BY w.importer, w.product, w.period
"""

# A year in which a chained code has no row of its own borrows its family's row.
BORROWED_SQL = """
    UNION ALL
    SELECT o.importer, c.code, f.period, CAST(f.period AS INTEGER), NULL, f.flag, f.hhi
    FROM (SELECT DISTINCT importer, product FROM hist_own) o
    JOIN chained c ON c.code = o.product
    JOIN hist_family f ON f.importer = o.importer AND f.family = c.family
    WHERE NOT EXISTS (
        SELECT 1 FROM hist_own x WHERE x.importer = o.importer AND x.product = c.code AND x.period = f.period
    )
"""


def _flags(frame: pd.DataFrame, product: str = "product") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "importer": frame["importer"],
            product: frame["product"],
            "period": frame["period"],
            "flag": frame["flagged"].astype("float64").where(frame["judged"]),
            "hhi": frame["hhi"],
        }
    )


def history(
    screen: pd.DataFrame,
    family_screen: pd.DataFrame,
    fams: pd.DataFrame,
    rules: Rules,
    jumps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add persistence and early-warning columns to SCREEN (one row per importer-product-year),
    and the share jumps (JUMPS, from :func:`share_jumps`); rows sorted by importer, product, year.

    A year in which the product's own code has no row is taken from its family's row (when the
    family has more than one code); a year with neither is "not judged" and counts as not flagged,
    and ``years_judged`` says on how many of the window's years the persistence rests.
    """
    chained = fams[fams.groupby("family")["code"].transform("count") > 1][["code", "family"]]
    borrow = bool(len(chained) and len(family_screen))
    con = duckdb.connect()
    try:
        con.register("hist_own", _flags(screen).assign(i=range(len(screen))))
        con.register("chained", chained)
        if borrow:
            con.register("hist_family", _flags(family_screen, "family"))
        empty = pd.DataFrame(columns=["importer", "product", "period", "jump_partner", "share_jump"])
        con.register("jumps", jumps if jumps is not None else empty.astype(str))
        sql = HISTORY_SQL.format(
            borrowed=BORROWED_SQL if borrow else "",
            back=int(rules.persistence_window) - 1,
            need=int(rules.persistence_years),
            rise=float(rules.hhi_rise),
        )
        added = con.execute(sql).df()
    finally:
        con.close()
    rows = added.pop("i")
    out = screen.reset_index(drop=True)
    if not rows.equals(pd.Series(range(len(out)), dtype=rows.dtype)):
        out = out.take(rows.to_numpy()).reset_index(drop=True)
    out = pd.concat([out, added], axis=1)
    out["share_jumped"] = (out["share_jump"].astype("float64") > rules.share_jump).fillna(False).astype(bool)
    out["share_jump"] = out["share_jump"].astype("float64")
    out["jump_partner"] = out["jump_partner"].fillna("")
    return out


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
    codes = set(screen["product"].unique())
    empty = pd.DataFrame(columns=["period", "origin", "destination"])
    fams = families(concordance if concordance is not None else empty, codes, periods)
    multi = fams[fams.groupby("family")["code"].transform("count") > 1]
    family_screen = (
        judge(aggregate(con, table, partners, rules, multi[["code", "family"]]), rules)
        if len(multi)
        else screen.iloc[0:0]
    )
    return history(screen, family_screen, fams, rules, jumps), supplier_rows
