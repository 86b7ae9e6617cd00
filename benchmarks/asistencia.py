"""Asistencia de un ciclo lectivo de un distrito: importar, reporte y alertas, en ambos motores.

Genera 400 grupos × 25 estudiantes × 200 días de clase = 2.000.000 filas (``--escala``
multiplica la cantidad de grupos) y mide, en la misma corrida y contra la misma tabla:

- ``amauta asistencia importar`` (el comando real, en un proceso aparte) en filas por
  segundo, junto a una carga "cruda" de las mismas filas ya resueltas a ids: ``COPY`` en
  PostgreSQL, ``executemany`` en SQLite. Objetivo en PostgreSQL: importar ≥ 70 % del COPY.
- El pico de memoria (RSS) de importar con el 10 % del archivo y con el archivo entero:
  debe ser plano, no crecer con el archivo.
- ``reporte`` de un grupo para todo el año y ``alertas`` de todo el distrito (mediana de
  varias corridas del servicio, más una corrida del comando completo). Objetivos en
  PostgreSQL: < 1 s y < 3 s.
- ``exportar`` de todo a /dev/null (filas por segundo y pico de memoria).

Borra lo que crea (la base de PostgreSQL, el archivo SQLite y los CSV) al terminar.

    .venv/bin/python benchmarks/asistencia.py [--escala 0.05] [--motores postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

PG_ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DESDE = date(2024, 3, 1)
ESTUDIANTES_POR_GRUPO = 25
DIAS = 200
GRUPOS_POR_ESCUELA = 20

#: El proceso hijo informa su pico de memoria al terminar (RUSAGE_SELF, en KiB).
_ENVOLTORIO = (
    "import resource, sys\n"
    "from amauta_cli.cli.main import app\n"
    "try:\n"
    "    app(prog_name='amauta', args=sys.argv[1:])\n"
    "finally:\n"
    "    sys.stderr.write(f'\\nPICO_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
)


def dias_habiles(desde: date, n: int) -> list[date]:
    """Los ``n`` días de clase desde ``desde`` según el calendario escolar general (sin fines de
    semana, feriados ni días fuera del ciclo lectivo): ``importar`` rechaza los demás."""
    from amauta_cli.services.calendario import calendario

    cal = calendario()
    dias, d = [], desde
    while len(dias) < n:
        if cal.es_de_clase(d):
            dias.append(d)
        d += timedelta(days=1)
    return dias


def amauta(url: str, *args: str, salida=subprocess.DEVNULL) -> tuple[float, int, str]:
    """Corre ``amauta`` en un proceso aparte: (segundos, pico RSS en MiB, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", _ENVOLTORIO, "--db-url", url, *args],
        stdout=salida,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    dt = time.perf_counter() - t0
    rss = 0
    for linea in p.stderr.splitlines():
        if linea.startswith("PICO_RSS_KB="):
            rss = int(linea.split("=", 1)[1]) // 1024
    if p.returncode != 0:
        raise SystemExit(f"amauta {' '.join(args)} falló:\n{p.stderr[-3000:]}")
    return dt, rss, p.stderr


# --- Datos ---------------------------------------------------------------------------------------------
def crear_estructura(url: str, grupos: int) -> tuple[list[str], list[str], list[list[tuple[str, str]]]]:
    """Escuelas, educadores, grupos y estudiantes (inserciones Core en lote). Devuelve
    (nombres de grupo, ids de grupo, [[(id, email) de cada estudiante] por grupo])."""
    from sqlalchemy import insert

    from amauta_cli.db import transaccion
    from amauta_cli.ids import ahora, cuid
    from amauta_cli.models import Grupo, GrupoEstudiante, Institucion, Rol, TipoInstitucion, Usuario

    t = ahora()
    escuelas = (grupos + GRUPOS_POR_ESCUELA - 1) // GRUPOS_POR_ESCUELA
    inst = [{"id": cuid(), "nombre": f"Escuela Nº {i + 1}", "tipo": TipoInstitucion.ESCUELA, "createdAt": t, "updatedAt": t} for i in range(escuelas)]
    educadores = [
        {"id": cuid(), "email": f"docente{i + 1}@distrito.edu.ar", "nombre": "Docente", "apellido": f"N{i + 1}",
         "rol": Rol.EDUCADOR, "password": "!", "activo": True, "createdAt": t, "updatedAt": t}
        for i in range(grupos)
    ]
    nombres = [f"Grupo {i + 1:04d}" for i in range(grupos)]
    filas_grupo = [
        {"id": cuid(), "nombre": nombres[i], "institucionId": inst[i // GRUPOS_POR_ESCUELA]["id"],
         "educadorId": educadores[i]["id"], "activo": True, "createdAt": t, "updatedAt": t}
        for i in range(grupos)
    ]
    estudiantes, miembros, por_grupo = [], [], []
    for gi, g in enumerate(filas_grupo):
        lista = []
        for k in range(ESTUDIANTES_POR_GRUPO):
            uid = cuid()
            email = f"e{gi + 1:04d}.{k + 1:02d}@alumnos.distrito.edu.ar"
            estudiantes.append(
                {"id": uid, "email": email, "nombre": f"Nombre{k + 1}", "apellido": f"Apellido{gi + 1}",
                 "rol": Rol.ESTUDIANTE, "password": "!", "activo": True, "createdAt": t, "updatedAt": t}
            )
            miembros.append({"grupoId": g["id"], "estudianteId": uid, "inscritoEn": t})
            lista.append((uid, email))
        por_grupo.append(lista)
    with transaccion(url) as s:
        s.execute(insert(Institucion), inst)
        s.execute(insert(Usuario), educadores + estudiantes)
        s.execute(insert(Grupo), filas_grupo)
        s.execute(insert(GrupoEstudiante), miembros)
    return nombres, [g["id"] for g in filas_grupo], por_grupo


def generar_archivos(carpeta: Path, nombres, ids_grupo, por_grupo, motor: str) -> tuple[Path, Path, Path, int]:
    """El CSV de importar, su 10 % inicial y la carga cruda equivalente (ids ya resueltos).

    Orden: día por día, grupo por grupo (como se toma asistencia). Estados con semilla fija;
    el 4 % de los estudiantes falta mucho (para que haya alertas).
    """
    from amauta_cli.ids import _HUELLA, _b36

    rng = random.Random(2024)
    dias = dias_habiles(DESDE, DIAS)
    propension = {uid: (0.09 if rng.random() < 0.04 else 0.015) for lista in por_grupo for uid, _ in lista}
    csv_ruta, crudo_ruta, parcial_ruta = carpeta / "asistencia.csv", carpeta / "cruda.tsv", carpeta / "parcial.csv"
    prefijo = "c" + _b36(int(time.time() * 1000), 8) + _HUELLA
    creado = "2024-12-20 12:00:00.000" if motor == "postgresql" else "2024-12-20 12:00:00.000000"
    total = DIAS * sum(len(x) for x in por_grupo)
    corte = total // 10
    n = 0
    with open(csv_ruta, "w", encoding="utf-8", newline="") as fc, open(crudo_ruta, "w", encoding="utf-8") as fr, open(parcial_ruta, "w", encoding="utf-8") as fp:
        enc = "grupo,email,fecha,estado,observaciones\n"
        fc.write(enc)
        fp.write(enc)
        for d in dias:
            iso = d.isoformat()
            fecha_bd = iso + (" 00:00:00" if motor == "postgresql" else " 00:00:00.000000")
            lineas, crudas = [], []
            for nombre, gid, lista in zip(nombres, ids_grupo, por_grupo):
                for uid, email in lista:
                    r = rng.random()
                    p = propension[uid]
                    if r < p:
                        estado, obs = "AUSENTE", ""
                    elif r < p * 1.6:
                        estado, obs = "JUSTIFICADO", "certificado médico"
                    elif r < p * 1.6 + 0.03:
                        estado, obs = "TARDANZA", ""
                    else:
                        estado, obs = "PRESENTE", ""
                    lineas.append(f"{nombre},{email},{iso},{estado},{obs}\n")
                    crudas.append(
                        f"{prefijo}{_b36(n, 12)}\t{gid}\t{uid}\t{fecha_bd}\t{estado}\t{obs or chr(92) + 'N'}\t{creado}\t{creado}\n"
                    )
                    n += 1
            fc.writelines(lineas)
            fr.writelines(crudas)
            if n - len(lineas) < corte:
                fp.writelines(lineas[: max(0, corte - (n - len(lineas)))])
    return csv_ruta, parcial_ruta, crudo_ruta, total


# --- Cargas crudas -------------------------------------------------------------------------------------------
COLS = '(id, "grupoId", "estudianteId", fecha, estado, observaciones, "createdAt", "updatedAt")'


def copy_crudo(url: str, crudo: Path) -> float:
    from amauta_cli.db import crear_motor

    eng = crear_motor(url)
    with eng.begin() as con:
        raw = con.connection.driver_connection
        t0 = time.perf_counter()
        with raw.cursor() as cur:
            with cur.copy(f'COPY "Asistencia" {COLS} FROM STDIN') as cp:
                with open(crudo, "rb") as f:
                    while bloque := f.read(1 << 20):
                        cp.write(bloque)
    return time.perf_counter() - t0  # incluye el commit


def executemany_crudo(url: str, crudo: Path) -> float:
    from amauta_cli.db import crear_motor

    eng = crear_motor(url)
    t0 = time.perf_counter()
    with eng.begin() as con:
        cur = con.connection.driver_connection.cursor()
        lote = []
        with open(crudo, encoding="utf-8") as f:
            for linea in f:
                v = linea.rstrip("\n").split("\t")
                if v[5] == "\\N":
                    v[5] = None
                lote.append(v)
                if len(lote) >= 50_000:
                    cur.executemany(f'INSERT INTO "Asistencia" {COLS} VALUES (?,?,?,?,?,?,?,?)', lote)
                    lote.clear()
        if lote:
            cur.executemany(f'INSERT INTO "Asistencia" {COLS} VALUES (?,?,?,?,?,?,?,?)', lote)
    return time.perf_counter() - t0


def vaciar(url: str, motor: str) -> None:
    from amauta_cli.db import crear_motor

    with crear_motor(url).begin() as con:
        con.exec_driver_sql('TRUNCATE "Asistencia"' if motor == "postgresql" else 'DELETE FROM "Asistencia"')


def analizar(url: str, motor: str) -> None:
    from amauta_cli.db import crear_motor

    with crear_motor(url).connect() as con:
        con.exec_driver_sql('ANALYZE "Asistencia"')
        con.commit()


# --- Consultas ---------------------------------------------------------------------------------------------
def medir_servicio(url: str, fn, n: int) -> tuple[float, float, object]:
    """(primera corrida, mediana de las demás, resultado) de ``fn(sesion)``."""
    from amauta_cli.db import transaccion

    tiempos, r = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        with transaccion(url, solo_lectura=True) as s:
            r = fn(s)
        tiempos.append(time.perf_counter() - t0)
    return tiempos[0], statistics.median(tiempos[1:] or tiempos), r


# --- Un motor ---------------------------------------------------------------------------------------------
def correr(motor: str, escala: float, carpeta: Path) -> dict:
    from amauta_cli.db import cerrar_motores
    from amauta_cli.services import asistencia as svc
    from amauta_cli.services.esquema import migrar

    grupos = max(1, round(400 * escala))
    if motor == "postgresql":
        import psycopg
        from sqlalchemy.engine import make_url

        nombre = f"amauta_bench_asis_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{nombre}"')
        url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=nombre).render_as_string(hide_password=False)
    else:
        nombre = str(carpeta / "bench.db")
        url = f"sqlite:///{nombre}"
    res: dict = {"motor": motor, "grupos": grupos}
    try:
        migrar(url)
        t0 = time.perf_counter()
        nombres, ids, por_grupo = crear_estructura(url, grupos)
        csv_ruta, parcial, crudo, total = generar_archivos(carpeta, nombres, ids, por_grupo, motor)
        res["filas"] = total
        res["generacion_s"] = time.perf_counter() - t0
        res["csv_mb"] = csv_ruta.stat().st_size / 2**20
        print(f"[{motor}] {grupos} grupos, {total:,} filas; datos y archivos en {res['generacion_s']:.1f} s "
              f"(CSV de {res['csv_mb']:.0f} MiB)", flush=True)

        # 1. Carga cruda de las mismas filas (ids ya resueltos) en la misma tabla vacía.
        dt = copy_crudo(url, crudo) if motor == "postgresql" else executemany_crudo(url, crudo)
        res["crudo_s"], res["crudo_fps"] = dt, total / dt
        print(f"[{motor}] {'COPY' if motor == 'postgresql' else 'executemany'} crudo: {dt:.1f} s, {total / dt:,.0f} filas/s", flush=True)
        vaciar(url, motor)
        cerrar_motores()

        # 2. importar con el 10 % (memoria) y con todo (velocidad y memoria).
        _, rss_parcial, _ = amauta(url, "asistencia", "importar", str(parcial))
        vaciar(url, motor)
        cerrar_motores()
        dt, rss, err = amauta(url, "asistencia", "importar", str(csv_ruta))
        if f"Importadas {total} filas" not in err:
            raise SystemExit(f"importar no informó {total} filas:\n{err}")
        res.update(importar_s=dt, importar_fps=total / dt, rss_parcial_mb=rss_parcial, rss_mb=rss)
        res["razon"] = res["importar_fps"] / res["crudo_fps"]
        print(f"[{motor}] importar: {dt:.1f} s, {total / dt:,.0f} filas/s = {100 * res['razon']:.0f} % del crudo; "
              f"pico RSS {rss_parcial} MiB con el 10 %, {rss} MiB con todo", flush=True)
        analizar(url, motor)  # lo que haría autovacuum poco después de una carga grande

        # 3. reporte de un grupo, un año; alertas del distrito.
        regla = svc.regla_vigente()
        primero, mediana, rep = medir_servicio(
            url, lambda s: svc.reporte(s, nombres[len(nombres) // 2], DESDE, date(2024, 12, 31), regla), 7
        )
        res.update(reporte_primero_s=primero, reporte_s=mediana, reporte_filas=rep.totales["registrados"])
        dt_cli, _, _ = amauta(url, "asistencia", "reporte", "-g", nombres[0], "--desde", DESDE.isoformat(), "--hasta", "2024-12-31", "-f", "json")
        res["reporte_cli_s"] = dt_cli
        print(f"[{motor}] reporte de un grupo ({rep.totales['registrados']:,} registros): mediana {mediana * 1000:.0f} ms "
              f"(primera {primero * 1000:.0f} ms; comando completo {dt_cli:.2f} s)", flush=True)
        primero, mediana, (_, alertas) = medir_servicio(url, lambda s: svc.alertas(s, regla, DESDE), 5)
        res.update(alertas_primero_s=primero, alertas_s=mediana, alertas_n=len(alertas))
        dt_cli, _, _ = amauta(url, "asistencia", "alertas", "--desde", DESDE.isoformat(), "-f", "json")
        res["alertas_cli_s"] = dt_cli
        print(f"[{motor}] alertas del distrito ({len(alertas)} estudiantes): mediana {mediana * 1000:.0f} ms "
              f"(primera {primero * 1000:.0f} ms; comando completo {dt_cli:.2f} s)", flush=True)

        # 4. exportar todo (streaming).
        with open(os.devnull, "w") as nulo:
            dt, rss, _ = amauta(url, "asistencia", "exportar", salida=nulo)
        res.update(exportar_s=dt, exportar_fps=total / dt, exportar_rss_mb=rss)
        print(f"[{motor}] exportar: {dt:.1f} s, {total / dt:,.0f} filas/s, pico RSS {rss} MiB", flush=True)
    finally:
        cerrar_motores()
        if motor == "postgresql":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        for f in carpeta.glob("*"):
            f.unlink()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--escala", type=float, default=1.0, help="multiplica los 400 grupos (0.05 = 20 grupos, 100.000 filas)")
    ap.add_argument("--motores", default="postgresql,sqlite")
    args = ap.parse_args()
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-asis-"))
    resultados = []
    try:
        for motor in [m.strip() for m in args.motores.split(",") if m.strip()]:
            resultados.append(correr(motor, args.escala, carpeta))
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
    print()
    print(f"Resumen (escala {args.escala}, {datetime.now():%Y-%m-%d %H:%M}):")
    for r in resultados:
        print(
            f"  {r['motor']:<10} {r['filas']:>9,} filas | importar {r['importar_fps']:>9,.0f} f/s vs crudo "
            f"{r['crudo_fps']:>9,.0f} f/s = {100 * r['razon']:3.0f} % | reporte {r['reporte_s'] * 1000:6.0f} ms | "
            f"alertas {r['alertas_s'] * 1000:6.0f} ms | RSS importar {r['rss_parcial_mb']}→{r['rss_mb']} MiB | "
            f"exportar {r['exportar_fps']:,.0f} f/s, {r['exportar_rss_mb']} MiB"
        )
    for r in resultados:
        if r["motor"] != "postgresql":
            continue
        metas = [
            ("importar ≥ 70 % del COPY", r["razon"] >= 0.70),
            ("reporte < 1 s", r["reporte_s"] < 1.0),
            ("alertas < 3 s", r["alertas_s"] < 3.0),
            ("memoria de importar plana (10 % vs 100 %: < +25 %)", r["rss_mb"] <= r["rss_parcial_mb"] * 1.25),
        ]
        for nombre, ok in metas:
            print(f"  objetivo PostgreSQL {nombre}: {'cumple' if ok else 'NO cumple'}")


if __name__ == "__main__":
    main()
