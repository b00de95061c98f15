"""Hand-made files in the real formats of the twin-transition sources (built in code, tiny).

* ``desi_workbook()``: an xlsx with the DESI workbook's three sheets (Metadata, Data, Data 3)
  laid out as in DESI_2022_final.xlsx: editions y5 (DESI 2021) and y6 (DESI 2022); AT, DE, DK
  and EU. 3b5 AI exists only in DESI 2022 (reference year 2021); 3b3 big data is in both
  editions with the same reference year 2020 (the later edition must win); 3a1 and 3b4 in
  DESI 2022 (2021).
* ``owid_csv()``: OWID's CO2 columns for AT, DE, DK, GR (-> EL), the unlabelled EU-27 row and
  'Europe' (not read), years 2005 and 2016.
* ``ets_csv()``: the datahub.io EU ETS aggregate.
"""

from __future__ import annotations

import io

GEOS = ["AT", "DE", "DK", "EU"]
INDICATORS = [
    (
        "3a1 SMEs with at least a basic level of digital intensity",
        "% SMEs",
        [None, None, None, None, None, 2021],
    ),
    ("3b3 Big data", "% enterprises", [None, None, None, None, 2020, 2020]),
    ("3b4 Cloud", "% enterprises", [None, None, None, None, None, 2021]),
    ("3b5 AI", "% enterprises", [None, None, None, None, None, 2021]),
    ("2d1 Broadband price index", "Score (0-100)", [None, None, None, None, 2020, 2021]),
]
# (edition, geo) -> values in INDICATORS order ('' = no value, as the workbook writes it)
VALUES = {
    ("y6", "AT"): [0.64, 0.09, 0.29, 0.09, 73.8],
    ("y6", "DE"): [0.60, 0.18, 0.33, 0.11, 60.0],
    ("y6", "DK"): [0.79, 0.27, 0.62, 0.24, 80.0],
    ("y6", "EU"): [0.55, 0.14, 0.34, 0.08, 72.6],
    ("y5", "AT"): ["", 0.07, "", "", 70.0],
    ("y5", "DE"): ["", 0.15, "", "", 58.0],
    ("y5", "DK"): ["", 0.25, "", "", 79.0],
    ("y5", "EU"): ["", 0.12, "", "", 70.1],
}
SCORES = {  # (edition, geo) -> DESI, d1..d4
    ("y6", "AT"): [54.7, 50.9, 56.5, 39.2, 72.1],
    ("y6", "DE"): [52.9, 45.0, 67.3, 35.8, 63.4],
    ("y6", "DK"): [69.3, 59.2, 77.1, 58.0, 83.1],
    ("y6", "EU"): [52.3, 45.7, 59.9, 36.1, 67.3],
}


def desi_workbook(values=None, metadata_years=None, drop_sheet: str | None = None) -> bytes:
    from openpyxl import Workbook

    values = values or VALUES
    book = Workbook()
    meta = book.active
    meta.title = "Metadata"
    meta.append(
        ["No", "Indicator", "Definition", "Unit of measure", "Source", "Notes"]
        + [f"Year {k}" for k in range(1, 7)]
        + ["Actual Min", "Actual Max", "Min", "Max", "Direction", "To be winsorized", "Weight"]
    )
    for i, (name, unit, years) in enumerate(INDICATORS, start=1):
        years = (metadata_years or {}).get(name[:3], years)
        meta.append(
            [i, name, f"Definition of {name}", unit, "Eurostat", ""] + years + [0, 1, 0, 1, 1, "NO", 1]
        )
    meta.append([34, "i2"])  # helper rows below the indicator block, as in the real sheet
    meta.append([])
    meta.append(["Transpose indicator names"])
    meta.append([INDICATORS[0][0]])
    data = book.create_sheet("Data")
    data.append(["Year", "Country", "Year + country"] + [n for n, _, _ in INDICATORS] + ["i2"])
    for (edition, geo), row in values.items():
        data.append([edition, geo, f"{edition}_{geo}", *row])
    data.append([None, None, 1])
    data.append([None, None, "Indicator", INDICATORS[0][0]])
    scores = book.create_sheet("Data 3")
    scores.append([None, None, "Aggregated data"])
    scores.append([])
    scores.append(
        ["Year", "Country", "Year + country", "DESI", "1 Human capital", "2 Connectivity"]
        + ["3 Integration of digital technology", "4 Digital public services", "NA"]
    )
    for (edition, geo), row in SCORES.items():
        scores.append([edition, geo, f"{edition}_{geo}", *row, 0])
    scores.append([0, 0, 1, 0, 0, 0])
    if drop_sheet:
        del book[drop_sheet]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


OWID_HEADER = (
    "iso_code,country,year,co2,co2_per_capita,co2_per_gdp,total_ghg,ghg_per_capita,"
    "primary_energy_consumption,energy_per_capita,energy_per_gdp,population,gdp"
)
# iso, name, year, co2 (Mt), total_ghg (Mt), energy (TWh), population, gdp (int-$)
OWID_ROWS = [
    ("AUT", "Austria", 2005, 80.0, 93.0, 400.0, 8.2e6, 3.0e11),
    ("AUT", "Austria", 2016, 66.0, 80.0, 390.0, 8.7e6, 3.4e11),
    ("DEU", "Germany", 2005, 860.0, 1000.0, 4000.0, 82.0e6, 3.0e12),
    ("DEU", "Germany", 2016, 800.0, 900.0, 3800.0, 82.5e6, 3.5e12),
    ("DNK", "Denmark", 2005, 50.0, 70.0, 230.0, 5.4e6, 2.0e11),
    ("DNK", "Denmark", 2016, 35.0, 47.0, 200.0, 5.7e6, 2.3e11),
    ("GRC", "Greece", 2005, 110.0, 130.0, 380.0, 11.0e6, 3.0e11),
    ("GRC", "Greece", 2016, 70.0, 90.0, 300.0, 10.8e6, 2.5e11),
]


def owid_csv(rows=None, extra: list[str] | None = None) -> bytes:
    lines = [OWID_HEADER]
    for iso, name, year, co2, ghg, energy, pop, gdp in rows or OWID_ROWS:
        lines.append(
            f"{iso},{name},{year},{co2},{co2 / pop * 1e6:.3f},{co2 * 1e9 / gdp:.3f},{ghg},"
            f"{ghg / pop * 1e6:.3f},{energy},{energy * 1e9 / pop:.1f},{energy * 1e9 / gdp:.3f},{pop},{gdp}"
        )
    lines.append(",EU-27,2016,3000.0,6.9,,,,,,,,")  # OWID's EU row: no iso_code, no GDP or GHG
    lines.append(",Europe,2016,5000.0,6.7,,,,,,,,")
    lines += extra or []
    return ("\n".join(lines) + "\n").encode()


def ets_csv(extra: list[str] | None = None) -> bytes:
    lines = [
        "sector,year,emissions_mt",
        "10 Aviation,2012,84.03",
        "10 Aviation,2013,53.49",
        "20 Combustion of fuels,2012,1200.5",
        "24 Production of pig iron or steel,2012,130.2",
        "21 Refining of mineral oil,2012,100",
        "29 Production of cement clinker,2012,120",
        '"30 Production of lime, or calcination of dolomite/magnesite",2012,20',
        "36 Production of paper or cardboard,2012,30",
        "42 Production of bulk chemicals,2012,40",
    ]
    return ("\n".join(lines + (extra or [])) + "\n").encode()


AIR_HEADER = "DATAFLOW,LAST UPDATE,freq,airpol,nace_r2,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"
# (nace, geo, tonnes of CO2 in 2021)
AIR_ROWS = [
    ("TOTAL", "AT", 60_000_000),
    ("C10-C12", "AT", 1_200_000),
    ("C19", "AT", 2_800_000),
    ("C23", "AT", 3_000_000),
    ("C24", "AT", 11_000_000),
    ("D", "AT", 7_000_000),
    ("HH", "AT", 12_000_000),
    ("TOTAL", "DE", 700_000_000),
    ("C10-C12", "DE", 9_000_000),
    ("C19", "DE", 20_000_000),
    ("C24", "DE", 40_000_000),  # DE has no C23 figure: EII is a lower bound (I)
    ("D", "DE", 220_000_000),
]


def air_csv() -> bytes:
    """Air emissions accounts by NACE (SDMX-CSV 1.0), CO2 in tonnes, 2021, plus the KG_HAB total."""
    prefix = "ESTAT:ENV_AC_AINAH_R2(1.0),20/12/22 23:00:00,A,CO2"
    lines = [AIR_HEADER]
    lines += [f"{prefix},{nace},T,{geo},2021,{value}," for nace, geo, value in AIR_ROWS]
    lines += [f"{prefix},TOTAL,KG_HAB,AT,2021,6700,", f"{prefix},TOTAL,KG_HAB,DE,2021,8400,"]
    return ("\n".join(lines) + "\n").encode()
