"""``amauta db archivar`` de un ciclo lectivo de un distrito frente a un ``INSERT ... SELECT`` +
``DELETE`` a secas de las mismas filas, y los reportes del año en curso antes y después.

El distrito: ``--estudiantes`` (11.112 por defecto) × 180 días hábiles de 2024 = 2.000.160 filas de
asistencia del año a archivar, más 40 días de 2025 (el año en curso, ~444.000 filas). Se arma una
plantilla una vez (en el servidor, con ``generate_series``) y cada corrida medida trabaja sobre un
clon nuevo (``CREATE DATABASE ... TEMPLATE``, fuera del tiempo medido): amauta y la línea de base
empiezan siempre del mismo estado físico.

Objetivos (issue 15): archivar ≤ 1,5× la línea de base (mediana de las razones por par);
``asistencia reporte`` de un grupo y ``asistencia alertas`` del distrito del año en curso, después
de archivar, al menos tan rápidos como antes (razón ≤ 1; se marca ✔ hasta 1,05 por el ruido de una
máquina compartida).

    .venv/bin/python benchmarks/archivo.py                    # 2 millones de filas
    .venv/bin/python benchmarks/archivo.py --estudiantes 1000 --pares 5   # prueba rápida
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, amauta, carga, comparar, imprimir  # noqa: E402
from escala_datos import BaseDeBanco, dias_habiles  # noqa: E402

HASTA = "2025-01-01"
# Sin la auditoría por fila de la 0005 (amauta tampoco la escribe al archivar: una fila de
# resumen por tabla): con los disparadores encendidos la línea de base escribiría además una baja
# de auditoría por fila movida y la comparación favorecería a amauta sin motivo.
LINEA_DE_BASE = f"""
BEGIN;
ALTER TABLE "Asistencia" DISABLE TRIGGER amauta_auditar_delete;
INSERT INTO archivo."Asistencia" SELECT * FROM "Asistencia" WHERE fecha < '{HASTA}';
DELETE FROM "Asistencia" WHERE fecha < '{HASTA}';
ALTER TABLE "Asistencia" ENABLE TRIGGER amauta_auditar_delete;
ALTER TABLE "Calificacion" DISABLE TRIGGER amauta_auditar_delete;
INSERT INTO archivo."Calificacion" SELECT * FROM "Calificacion" WHERE "createdAt" < '{HASTA}';
DELETE FROM "Calificacion" WHERE "createdAt" < '{HASTA}';
ALTER TABLE "Calificacion" ENABLE TRIGGER amauta_auditar_delete;
COMMIT;
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--estudiantes", type=int, default=11_112)
    ap.add_argument("--pares", type=int, default=5)
    args = ap.parse_args()
    psql = shutil.which("psql") or "/usr/bin/psql"

    print(f"Carga de la máquina al empezar: {carga():.2f}", file=sys.stderr)
    tpl = BaseDeBanco.nueva("archivo_tpl")
    clones: list[BaseDeBanco] = []
    try:
        t = tpl.poblar(0, args.estudiantes, dias_habiles(date(2024, 3, 4), 180), analizar=False)
        # El año en curso: los mismos estudiantes, 40 días desde marzo de 2025.
        import psycopg

        t0 = time.perf_counter()
        with psycopg.connect(tpl.dsn) as c:
            base = c.execute('SELECT count(*) FROM "Asistencia"').fetchone()[0]
            c.execute(
                f"""INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, "createdAt", "updatedAt")
                SELECT 'c' || lpad(to_hex({base} + row_number() OVER (ORDER BY d, n)), 12, '0'),
                       'g' || lpad((n / 25)::text, 7, '0'), 'e' || lpad(n::text, 8, '0'), d::timestamp(3),
                       (CASE WHEN abs(hashtext(n::text || d::text)) % 20 = 0 THEN 'AUSENTE' ELSE 'PRESENTE' END)::"EstadoAsistencia",
                       d::timestamp(3), d::timestamp(3)
                FROM unnest(ARRAY[{",".join(f"date '{x}'" for x in dias_habiles(date(2025, 3, 3), 40))}]) d,
                     generate_series(0, {args.estudiantes - 1}) n ORDER BY d, n"""
            )
            # Notas del año pasado (3 materias por estudiante), también a archivar.
            c.execute(
                f"""INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", "createdAt", "updatedAt")
                SELECT 'n' || lpad(n::text, 8, '0') || m, 'g' || lpad((n / 25)::text, 7, '0'), 'e' || lpad(n::text, 8, '0'),
                       (ARRAY['Matemática','Lengua','Ciencias'])[m], '3er Trimestre', 1 + abs(hashtext(n::text || m)) % 10, 10,
                       timestamp '2024-11-20', timestamp '2024-11-20'
                FROM generate_series(0, {args.estudiantes - 1}) n, generate_series(1, 3) m"""
            )
            c.commit()
        tpl.sql('VACUUM ANALYZE "Asistencia"', "VACUUM ANALYZE")
        t += time.perf_counter() - t0
        anio = tpl.valor(f"""SELECT count(*) FROM "Asistencia" WHERE fecha < '{HASTA}'""")
        total = tpl.valor('SELECT count(*) FROM "Asistencia"')
        print(
            f"Plantilla: {total:,} filas de asistencia ({anio:,} del año a archivar), armada en {t:.0f} s.".replace(",", "."),
            file=sys.stderr,
        )
        from amauta_cli.db import cerrar_motores

        cerrar_motores()

        # Las dos corridas usan la misma URL de base (el clon se recrea antes de cada una).
        nombre_fijo = BaseDeBanco(f"{tpl.nombre}_run")

        def recrear() -> None:
            nombre_fijo.borrar()
            import psycopg

            with psycopg.connect(tpl.dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{nombre_fijo.nombre}" TEMPLATE "{tpl.nombre}" STRATEGY FILE_COPY')

        clones.append(nombre_fijo)
        a = Comando([*amauta(), "--db-url", nombre_fijo.url, "db", "archivar", "--hasta", HASTA, "--si"], antes=recrear)
        b = Comando([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", nombre_fijo.dsn, "-c", LINEA_DE_BASE], antes=recrear)
        r_archivar = comparar("db archivar (1 ciclo lectivo)", a, b, pares=args.pares, base="INSERT…SELECT + DELETE")
        print(f"\nArchivar {anio:,} filas de asistencia y {args.estudiantes * 3:,} notas:".replace(",", "."))
        imprimir([r_archivar], objetivo=1.5)

        # Reportes del año en curso, antes y después de archivar.
        antes = tpl.clonar("archivo_antes")
        despues = tpl.clonar("archivo_despues")
        clones += [antes, despues]
        import subprocess

        subprocess.run([*amauta(), "--db-url", despues.url, "db", "archivar", "--hasta", HASTA, "--si"],
                       check=True, capture_output=True)
        grupo = "2º Grado B (1)"
        reporte = ["asistencia", "reporte", "-g", grupo, "--desde", "2025-03-01", "--hasta", "2025-06-30"]
        alertas = ["asistencia", "alertas", "--desde", "2025-03-01"]
        resultados = []
        for nombre, argv in (("reporte 1 grupo, año en curso", reporte), ("alertas del distrito, año en curso", alertas)):
            resultados.append(
                comparar(
                    f"{nombre} (después/antes)",
                    Comando([*amauta(), "--db-url", despues.url, *argv]),
                    Comando([*amauta(), "--db-url", antes.url, *argv]),
                    pares=args.pares,
                    base="antes de archivar",
                )
            )
        # Y después de un VACUUM (lo que hace autovacuum poco después).
        despues.sql('VACUUM "Asistencia"')
        resultados.append(
            comparar(
                "alertas, tras VACUUM (después/antes)",
                Comando([*amauta(), "--db-url", despues.url, *alertas]),
                Comando([*amauta(), "--db-url", antes.url, *alertas]),
                pares=args.pares,
                base="antes de archivar",
            )
        )
        print("\nReportes del año en curso: después de archivar frente a antes (misma corrida):")
        imprimir(resultados, objetivo=1.05)
    finally:
        for c in clones:
            c.borrar()
        tpl.borrar()


if __name__ == "__main__":
    main()
