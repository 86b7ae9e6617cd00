"""``amauta usuarios importar`` como lo corre un usuario, frente a lo mismo hecho a mano.

Mide procesos enteros, intercalados (``benchmarks/comun.py``), en la misma corrida:

1. ``amauta usuarios importar estudiantes.csv`` con N estudiantes SIN contraseña (por defecto
   10.000), frente a cargar el mismo CSV en ``Usuario`` + ``Perfil`` con SQL a secas: en
   PostgreSQL, un script de ``psql`` (``\\copy`` a una tabla temporal y dos ``INSERT ...
   SELECT`` con ids generados en SQL); en SQLite, el mismo script en el ``sqlite3`` de la
   línea de comandos (``.import``). Las tablas se vacían antes de cada corrida.
   Objetivo (PostgreSQL): ≤ 2×.
2. 100 estudiantes CON contraseña (N/100) frente a otros tantos hashes bcrypt solos en todos los núcleos
   (``seguridad.hashear_muchos`` en un proceso Python): lo que la importación agrega por
   encima del hash. Objetivo: ≤ 1,2×.

    .venv/bin/python benchmarks/usuarios.py [--escala 1] [--pares 5] [--motores postgresql,sqlite]

Crea y borra sus bases (``amauta_bench_usu_*`` en PostgreSQL, un archivo temporal en SQLite).
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, comparar, imprimir  # noqa: E402

NOMBRES = ["Sofía", "Joaquín", "Valentina", "Mateo", "Inés", "Tomás", "Lucía", "Benjamín"]
APELLIDOS = ["González", "Rodríguez", "Fernández", "López", "Martínez", "Pérez", "Núñez", "Ibáñez"]

#: Lo mismo a mano en PostgreSQL: el CSV a una tabla temporal, dos INSERT ... SELECT.
SQL_PG = r"""
CREATE TEMP TABLE carga (email text, nombre text, apellido text, rol text, matricula text, grado text, ciudad text{pw});
\copy carga FROM '{csv}' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE nuevos AS
  SELECT 'c' || substr(md5(random()::text || email), 1, 24) AS uid,
         'c' || substr(md5(random()::text || email || 'p'), 1, 24) AS pid, * FROM carga;
INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt")
  SELECT uid, lower(trim(email)), trim(nombre), trim(apellido), rol::"Rol", '!', true, now(), now() FROM nuevos;
INSERT INTO "Perfil" (id, "usuarioId", matricula, grado, ciudad, especialidad, "createdAt", "updatedAt")
  SELECT pid, uid, matricula, grado, ciudad, '{{}}', now(), now() FROM nuevos;
"""

#: Lo mismo en el sqlite3 de la línea de comandos.
SQL_SQLITE = r"""
PRAGMA foreign_keys=ON;
BEGIN;
CREATE TEMP TABLE carga (email text, nombre text, apellido text, rol text, matricula text, grado text, ciudad text);
.import --csv --skip 1 '{csv}' temp.carga
CREATE TEMP TABLE nuevos AS
  SELECT 'c' || lower(hex(randomblob(12))) AS uid, 'c' || lower(hex(randomblob(12))) AS pid, * FROM temp.carga;
INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt")
  SELECT uid, lower(trim(email)), trim(nombre), trim(apellido), rol, '!', 1,
         strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now') FROM temp.nuevos;
INSERT INTO "Perfil" (id, "usuarioId", matricula, grado, ciudad, especialidad, "createdAt", "updatedAt")
  SELECT pid, uid, matricula, grado, ciudad, '[]',
         strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now') FROM temp.nuevos;
COMMIT;
"""

#: 100 hashes bcrypt en todos los núcleos, en un proceso (lo mínimo que cuesta una carga con contraseñas).
HASH_SOLO = (
    "import sys\n"
    "from amauta_cli.seguridad import hashear_muchos\n"
    "hashear_muchos([f'Clave-Segura-{i:04d}' for i in range(int(sys.argv[1]))])\n"
)


def generar_csv(ruta: Path, filas: int, con_password: bool = False, prefijo: str = "estudiante") -> None:
    with open(ruta, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["email", "nombre", "apellido", "rol", "matricula", "grado", "ciudad"] + (["password"] if con_password else []))
        for i in range(filas):
            fila = [
                f"{prefijo}{i:06d}@escuela.edu.ar",
                NOMBRES[i % len(NOMBRES)],
                APELLIDOS[(i // len(NOMBRES)) % len(APELLIDOS)],
                "ESTUDIANTE",
                f"2025-{i:06d}",
                f"{1 + i % 6}ro",
                "Córdoba",
            ]
            if con_password:
                fila.append(f"Clave-Segura-{i:04d}")
            w.writerow(fila)


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def _amauta(url: str, *args: str, **kw) -> Comando:
    return Comando([*comun.amauta(), "--db-url", url, *args], **kw)


def medir(motor: str, url: str, vaciar, base_10k: Comando, carpeta: Path, filas: int, pares: int) -> list[comun.Resultado]:
    ruta = carpeta / "estudiantes.csv"
    generar_csv(ruta, filas)
    base_10k.antes = vaciar
    r1 = comparar(
        f"usuarios importar {filas} ({motor})",
        _amauta(url, "usuarios", "importar", str(ruta), antes=vaciar, espera=f"{_n(filas)} creados"),
        base_10k,
        pares=pares,
        base="el mismo CSV en Usuario + Perfil con SQL a secas ("
        + ("psql" if motor == "postgresql" else "sqlite3") + ")",
        objetivo=2.0 if motor == "postgresql" else None,
    )
    ruta_pw = carpeta / "con_password.csv"
    n_pw = max(10, filas // 100)
    generar_csv(ruta_pw, n_pw, con_password=True, prefijo="conclave")
    r2 = comparar(
        f"usuarios importar {n_pw} con contraseña ({motor})",
        _amauta(url, "usuarios", "importar", str(ruta_pw), antes=vaciar),
        Comando([sys.executable, "-c", HASH_SOLO, str(n_pw)]),
        pares=pares, base=f"{n_pw} hashes bcrypt solos, en todos los núcleos (proceso Python)",
        objetivo=1.2,
    )
    return [r1, r2]


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--motores", default="postgresql,sqlite")
    args = ap.parse_args()
    filas = max(100, round(10_000 * args.escala))
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-usu-"))
    comun.encabezado("usuarios importar", filas=filas)
    resultados = []
    try:
        for motor in [m.strip() for m in args.motores.split(",") if m.strip()]:
            if motor == "postgresql":
                with BasePG("usu") as bd:
                    script = carpeta / "cargar.sql"
                    script.write_text(SQL_PG.format(csv=carpeta / "estudiantes.csv", pw=""), encoding="utf-8")
                    base = Comando(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", bd.dsn, "-f", str(script)])

                    def vaciar(bd=bd):
                        bd.ejecutar('TRUNCATE "GrupoEstudiante", "Perfil", "Usuario" CASCADE')

                    resultados += medir(motor, bd.url, vaciar, base, carpeta, filas, args.pares)
            else:
                from amauta_cli.db import cerrar_motores, crear_motor
                from amauta_cli.services.esquema import migrar

                ruta_bd = carpeta / "bench.db"
                url = f"sqlite:///{ruta_bd}"
                migrar(url)
                script = carpeta / "cargar_sqlite.sql"
                script.write_text(SQL_SQLITE.format(csv=carpeta / "estudiantes.csv"), encoding="utf-8")
                base = Comando(["sqlite3", str(ruta_bd)], entrada=script.read_bytes())

                def vaciar(url=url):
                    with crear_motor(url).begin() as con:
                        con.exec_driver_sql('DELETE FROM "Perfil"')
                        con.exec_driver_sql('DELETE FROM "Usuario"')
                    cerrar_motores()

                resultados += medir(motor, url, vaciar, base, carpeta, filas, args.pares)
                cerrar_motores()
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
    print()
    imprimir(resultados)


if __name__ == "__main__":
    main()
