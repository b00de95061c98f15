"""Hand-made files in the real formats of Eurostat's ICT-survey tables by NACE (tiny content).

The Eurostat API answers these tables as TSV in its 2023 layout (``freq,size_emp,nace_r2,
indic_is,unit,geo\\TIME_PERIOD``; size_emp is GE10 only); the data mirror's ICT extracts are
SDMX-CSV 2.0 with labels. The activity codes are Eurostat's own (nace_r2.dic): groups with
hyphens (C10-C12), lists with underscores (C29_C30, J62_J63), a section (C) and the
all-activities aggregate with exclusions.

``sbs_tsv()`` gives persons employed (V16110) by division for the weights, in the old bulk layout
of sbs_na_sca_r2. DE's C30 in 2015 is confidential.
"""

from __future__ import annotations

import gzip

GEOS = ("AT", "DE", "EU27_2020")
YEARS = ("2023", "2024")
# (nace, geo) -> cells for YEARS, as Eurostat writes them (': c' confidential, '12.0 u' flagged)
AI = {
    ("C10-C12", "AT"): ("5.0", "6.0"),
    ("C10-C12", "DE"): ("4.0", "4.5 u"),
    ("C10-C12", "EU27_2020"): ("4.4", "5.2"),
    ("C26", "AT"): ("12.0", ": c"),
    ("C26", "DE"): ("15.0", "16.0"),
    ("C26", "EU27_2020"): ("13.0", "14.1"),
    ("C29_C30", "AT"): ("9.0", "10.0"),
    ("C29_C30", "DE"): ("11.0", "12.5"),
    ("C29_C30", "EU27_2020"): ("9.5", "10.2"),
    ("C", "AT"): ("7.0", "8.0"),
    ("C", "DE"): ("8.0", "9.0"),
    ("C", "EU27_2020"): ("6.9", "7.7"),
    ("J61", "AT"): ("20.0", "25.0"),
    ("J61", "DE"): ("22.0", ":"),
    ("J61", "EU27_2020"): ("21.0", "24.0"),
    ("J62_J63", "AT"): ("30.0", "35.0"),
    ("J62_J63", "DE"): ("33.0", "36.0"),
    ("J62_J63", "EU27_2020"): ("29.0", "33.3"),
    ("J58-J63", "AT"): ("28.0", "32.0"),
    ("J58-J63", "DE"): ("30.0", "33.0"),
    ("J58-J63", "EU27_2020"): ("27.0", "30.1"),
    ("C10-S951_X_K", "AT"): ("8.0", "13.5"),
    ("C10-S951_X_K", "DE"): ("9.0", "14.0"),
    ("C10-S951_X_K", "EU27_2020"): ("8.0", "13.5"),
}
# The divisions each code covers, written out by hand for the independent recomputation.
COVERS = {
    "C10-C12": ("C10", "C11", "C12"),
    "C26": ("C26",),
    "C29_C30": ("C29", "C30"),
    "C": tuple(f"C{n}" for n in range(10, 34)),
    "J61": ("J61",),
    "J62_J63": ("J62", "J63"),
    "J58-J63": ("J58", "J59", "J60", "J61", "J62", "J63"),
}
NACE_CODES = tuple(dict.fromkeys(n for n, _ in AI))
# (division, geo) -> persons employed in (2014, 2015); ': c' confidential
SBS = {
    ("C10", "AT"): ("70000", "71000"),
    ("C11", "AT"): ("9000", "9100"),
    ("C12", "AT"): ("800", "820"),
    ("C13", "AT"): ("8000", "7900"),
    ("C26", "AT"): ("21000", "21500"),
    ("C29", "AT"): ("33000", "34000"),
    ("C30", "AT"): ("6000", "6200"),
    ("J61", "AT"): ("12000", "11800"),
    ("J62", "AT"): ("40000", "42000"),
    ("J63", "AT"): ("5000", "5300"),
    ("C10", "DE"): ("800000", "810000"),
    ("C11", "DE"): ("70000", "71000"),
    ("C12", "DE"): ("9000", "8800"),
    ("C13", "DE"): ("70000", "69000"),
    ("C26", "DE"): ("300000", "305000"),
    ("C29", "DE"): ("850000", "870000"),
    ("C30", "DE"): ("120000", ": c"),
    ("J61", "DE"): ("110000", "108000"),
    ("J62", "DE"): ("600000", "640000"),
    ("J63", "DE"): ("60000", "62000"),
    ("C10", "FR"): ("500000", "505000"),
}
SBS_YEARS = ("2015", "2014")  # the bulk file lists the latest year first


def ai_tsv(cells: dict | None = None, gz: bool = True) -> bytes:
    """isoc_eb_ain2 as the API's TSV (2023 layout): E_AI_TANY, PC_ENT."""
    cells = cells or AI
    lines = ["freq,size_emp,nace_r2,indic_is,unit,geo\\TIME_PERIOD\t" + "\t".join(f"{y} " for y in YEARS)]
    for (nace, geo), values in cells.items():
        lines.append(f"A,GE10,{nace},E_AI_TANY,PC_ENT,{geo}\t" + "\t".join(f"{v} " for v in values))
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode(), mtime=0) if gz else text.encode()


SDMX2_HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,size_emp,Size classes in number of "
    "persons employed,nace_r2,Statistical classification of economic activities in the European "
    "Community (NACE Rev. 2),indic_is,Information society indicator,unit,Unit of measure,geo,"
    "Geopolitical entity (reporting),TIME_PERIOD,Time,OBS_VALUE,"
    "Observation value,OBS_FLAG,Observation status (Flag) V2 structure,CONF_STATUS,Confidentiality "
    "status (flag)"
)


def ai_sdmx_csv() -> bytes:
    """The same table as SDMX-CSV 2.0 with labels (the layout of the mirror's isoc_eb_ai.csv)."""
    lines = [SDMX2_HEADER]
    for (nace, geo), values in AI.items():
        for year, raw in zip(YEARS, values, strict=True):
            value, _, flag = raw.partition(" ")
            conf = "C" if flag == "c" else ""
            obs_flag = "" if flag in ("", "c") else flag
            value = "" if value == ":" else value
            lines.append(
                f"dataflow,ESTAT:ISOC_EB_AIN2(1.0),AI by NACE,A,Annual,GE10,10 persons employed or more,"
                f'{nace},"{nace}",E_AI_TANY,"Any AI",PC_ENT,Percentage of enterprises,{geo},"{geo}",{year},,'
                f"{value},,{obs_flag},,{conf},"
            )
    return ("\n".join(lines) + "\n").encode()


def dii_tsv() -> bytes:
    """isoc_e_diin2 with both DII definitions in 2023 (v3 and v4): the newer must win."""
    lines = ["freq,size_emp,nace_r2,indic_is,unit,geo\\TIME_PERIOD\t2022 \t2023 "]
    lines.append("A,GE10,C26,E_DI3_GELO,PC_ENT,AT\t60.0 \t61.0 ")
    lines.append("A,GE10,C26,E_DI4_GELO,PC_ENT,AT\t: \t70.0 ")
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def sbs_tsv() -> bytes:
    lines = ["nace_r2,indic_sb,geo\\time\t" + "\t".join(f"{y} " for y in SBS_YEARS)]
    for (nace, geo), (y2014, y2015) in SBS.items():
        lines.append(f"{nace},V16110,{geo}\t{y2015} \t{y2014} ")
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def codelabels() -> list[tuple[str, str]]:
    """The code-list entries these samples use (what load_reference loads from Eurostat)."""
    rows = [("nace_r2", n) for n in NACE_CODES] + [("nace_r2", d) for d, _ in SBS]
    rows += [("indic_is", m) for m in ("E_AI_TANY", "E_DI3_GELO", "E_DI4_GELO")]
    rows += [
        ("unit", "PC_ENT"),
        ("size_emp", "GE10"),
        ("indic_sb", "V16110"),
        ("geo", "EU27_2020"),
        ("geo", "FR"),
    ]
    return sorted(set(rows))


# pat_ep_ntec: (ipc, unit, geo) -> cells for 2012, 2013
HIGH_TECH = {
    ("HT", "P_MHAB", "AT"): ("30.5", "31.0 p"),
    ("HT", "P_MHAB", "DE"): ("60.1", "58.2 p"),
    ("HT", "P_MHAB", "FR"): ("45.0", ":"),
    ("HT", "P_MHAB", "EU28"): ("35.2", "34.9 p"),
    ("SMC", "P_MHAB", "AT"): ("2.1", "2.4"),
    ("SMC", "P_MHAB", "DE"): ("3.3", ": c"),
    ("HT", "NR", "AT"): ("258.0", "265.5"),
}


def high_tech_tsv() -> bytes:
    lines = ["freq,ipc,unit,geo\\TIME_PERIOD\t2012 \t2013 "]
    for (ipc, unit, geo), cells in HIGH_TECH.items():
        lines.append(f"A,{ipc},{unit},{geo}\t" + "\t".join(f"{c} " for c in cells))
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
