"""Cómo crece un servidor PostgreSQL con la asistencia de un ciclo lectivo: la tabla de
``docs/escala.md``.

Una misma base crece de a tramos hasta 0,5, 2 y 8 millones de filas de asistencia (un ciclo
lectivo de 165 días hábiles de cada vez más estudiantes: escuelas de 20 grupos de 25). En cada
tamaño, con ``VACUUM ANALYZE`` recién hecho, mide el proceso ``amauta`` entero (mediana de
``--repeticiones`` corridas, con la carga de la máquina):

- ``asistencia alertas`` de todo el distrito (recorre el año entero) y de una escuela;
- ``asistencia reporte`` de un grupo para el año;
- ``asistencia importar`` de un archivo fijo de 10.000 filas (una semana de 2.000 estudiantes),
  intercalado con un ``COPY`` crudo de las mismas filas a una tabla sin índices como piso;
- el tamaño de la tabla y de cada índice, y cuánto tardó en armarse el tramo;
- como piso, ``amauta db entorno`` (arranque, conexión y una consulta): lo que no depende del
  tamaño.

    .venv/bin/python benchmarks/escala.py                         # 0,5 / 2 / 8 millones
    .venv/bin/python benchmarks/escala.py --filas 500000 2000000  # sin el tramo de 8 millones
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, amauta, carga  # noqa: E402
from escala_datos import BaseDeBanco, dias_habiles  # noqa: E402

DIAS = 165
IMPORTAR_ESTUDIANTES = 2000
INDICES = (
    "Asistencia_pkey",
    "Asistencia_grupoId_estudianteId_fecha_key",
    "Asistencia_grupoId_fecha_idx",
    "Asistencia_estudianteId_idx",
)


def mediana(cmd: Comando, n: int) -> tuple[float, float]:
    tiempos = []
    cargas = []
    for _ in range(n):
        tiempos.append(cmd.correr())
        cargas.append(carga())
    return statistics.median(tiempos), statistics.mean(cargas)


def csv_semana(ruta: Path, dias: list[date]) -> None:
    from escala_datos import POR_GRUPO

    with open(ruta, "w", encoding="utf-8") as f:
        f.write("grupo,email,fecha,estado,observaciones\n")
        for d in dias:
            for n in range(IMPORTAR_ESTUDIANTES):
                g = n // POR_GRUPO
                grupo = f"{g % 7 + 1}º Grado {chr(65 + g % 5)} ({g})"
                estado = "AUSENTE" if (n + d.day) % 17 == 0 else "PRESENTE"
                f.write(f"{grupo},alumno{n}@escuela.edu.ar,{d.isoformat()},{estado},\n")


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f}".replace(",", ".")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filas", type=int, nargs="+", default=[500_000, 2_000_000, 8_000_000])
    ap.add_argument("--repeticiones", type=int, default=5)
    args = ap.parse_args()
    psql = shutil.which("psql") or "/usr/bin/psql"
    todos = dias_habiles(date(2024, 3, 4), DIAS + 5 * len(args.filas))
    dias, semanas = todos[:DIAS], [todos[DIAS + 5 * i : DIAS + 5 * (i + 1)] for i in range(len(args.filas))]
    tmp = Path(tempfile.mkdtemp(prefix="amauta-bench-escala-"))
    b = BaseDeBanco.nueva("escala")
    filas_tabla = []
    print(f"Carga de la máquina al empezar: {carga():.2f}", file=sys.stderr)
    try:
        estudiantes = 0
        for k, objetivo in enumerate(args.filas):
            nuevos = max(objetivo // DIAS, IMPORTAR_ESTUDIANTES)
            t_armado = b.poblar(estudiantes, nuevos, dias)
            estudiantes = nuevos
            total = b.valor('SELECT count(*) FROM "Asistencia"')
            print(f"\n{total:,} filas ({estudiantes:,} estudiantes): armado en {t_armado:.0f} s".replace(",", "."), file=sys.stderr)
            env = {"COLUMNS": "120"}
            base = [*amauta(), "--db-url", b.url]
            t_piso, _ = mediana(Comando([*base, "db", "entorno"], env=env), args.repeticiones)
            t_alertas, c1 = mediana(Comando([*base, "asistencia", "alertas", "--desde", "2024-03-01"], env=env), args.repeticiones)
            t_alertas_esc, _ = mediana(
                Comando([*base, "asistencia", "alertas", "--desde", "2024-03-01", "--institucion",
                         "Escuela N.º 0 «Juana Azurduy»"], env=env),
                args.repeticiones,
            )
            t_reporte, _ = mediana(
                Comando([*base, "asistencia", "reporte", "-g", "2º Grado B (1)", "--desde", "2024-03-01",
                         "--hasta", "2024-12-31"], env=env),
                args.repeticiones,
            )
            # importar: el mismo archivo de 10.000 filas, en días que aún no tienen asistencia.
            archivo = tmp / f"semana{k}.csv"
            csv_semana(archivo, semanas[k])
            inicio, fin = semanas[k][0].isoformat(), semanas[k][-1].isoformat()

            def limpiar(inicio=inicio, fin=fin) -> None:
                b.sql(f"""DELETE FROM "Asistencia" WHERE fecha BETWEEN '{inicio}' AND '{fin}'""")

            t_importar, _ = mediana(
                Comando([*base, "asistencia", "importar", str(archivo), "--forzar"], env=env, antes=limpiar),
                args.repeticiones,
            )
            crudo = (
                "BEGIN; CREATE TEMP TABLE c (grupo text, email text, fecha date, estado text, obs text);"
                f"\\copy c FROM '{archivo}' WITH (FORMAT csv, HEADER true)\nCOMMIT;"
            )
            t_copy, _ = mediana(Comando([psql, "-X", "-q", "-d", b.dsn], entrada=crudo.encode()), args.repeticiones)
            limpiar()
            tamanos = {
                r: b.valor(f"""SELECT pg_relation_size('"{r}"')""") for r in ("Asistencia", *INDICES)
            }
            fila = {
                "filas": total,
                "estudiantes": estudiantes,
                "armado_s": t_armado,
                "alertas_s": t_alertas,
                "alertas_escuela_s": t_alertas_esc,
                "reporte_s": t_reporte,
                "importar_s": t_importar,
                "copy_crudo_s": t_copy,
                "carga": c1,
                "piso_s": t_piso,
                "tamanos": tamanos,
            }
            filas_tabla.append(fila)
            print(
                f"  alertas distrito {t_alertas:.2f} s · alertas 1 escuela {t_alertas_esc:.2f} s · "
                f"reporte 1 grupo {t_reporte:.2f} s · importar 10.000 filas {t_importar:.2f} s "
                f"(COPY crudo {t_copy:.2f} s) · tabla {mib(tamanos['Asistencia'])} MiB, índices "
                f"{mib(sum(v for k2, v in tamanos.items() if k2 != 'Asistencia'))} MiB · carga {c1:.2f}",
                file=sys.stderr,
            )
        print("\n| filas de asistencia | estudiantes | armado | alertas (distrito) | alertas (1 escuela) | "
              "reporte (1 grupo, año) | importar 10.000 filas | piso: `db entorno` | tabla | "
              "índices (pkey / único / grupo+fecha / estudiante) | carga |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
        from amauta_cli import textos

        for f in filas_tabla:
            t = f["tamanos"]
            seg = lambda x: textos.numero(x, 2) + " s"  # noqa: E731
            print(
                f"| {textos.entero(f['filas'])} | {textos.entero(f['estudiantes'])} | {textos.entero(round(f['armado_s']))} s | "
                f"{seg(f['alertas_s'])} | {seg(f['alertas_escuela_s'])} | {seg(f['reporte_s'])} | "
                f"{seg(f['importar_s'])} (COPY crudo {seg(f['copy_crudo_s'])}) | {seg(f['piso_s'])} | "
                f"{mib(t['Asistencia'])} MiB | "
                + " / ".join(mib(t[i]) for i in INDICES)
                + f" MiB | {textos.numero(f['carga'], 1)} |"
            )
        print(f"\n(medianas de {args.repeticiones} corridas del proceso amauta entero; carga media de la máquina al medir)")
    finally:
        b.borrar()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
