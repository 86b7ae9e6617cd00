"""Comprobación con Prisma de verdad: adopción, ``db prisma`` y ``migrate deploy`` de 0_init.

No la necesita la suite (que no depende de Node): es la prueba manual de que lo que amauta
promete a la aplicación web se cumple con el CLI real de Prisma. Instala ``prisma`` y
``@prisma/adapter-pg`` (6.19) con npm en ``~/.cache/amauta/prisma-6.19`` (o usa
``--prisma-dir``), crea y borra sus propias bases ``amauta_prisma_*`` y comprueba:

1. Adopción (la aplicación web llegó primero): ``prisma migrate deploy`` de la migración del
   diseño (``tests/prisma/migration.sql``) → ``amauta db migrate`` la adopta → ``seed`` →
   ``db backup`` → ``db restore --limpiar`` → ``db verificar`` limpio, y ``prisma migrate
   status`` sigue viendo su migración aplicada.
2. ``amauta db prisma``: ``prisma validate`` acepta el schema.prisma; el SQL que Prisma genera
   para él (``migrate diff --from-empty``), aplicado a una base vacía, da las mismas tablas,
   columnas, tipos, defaults, claves, claves foráneas, índices y enums que ``amauta db
   migrate`` (salvo lo que Prisma no expresa, que se lista); y ``migrate diff
   --from-migrations 0_init --to-schema`` da vacío: ``migrate dev`` no querría cambiar nada.
3. ``prisma migrate deploy`` de 0_init en una base vacía deja una base de amauta al día
   (``verificar`` limpio, ``migrate`` no hace nada).
4. Tiempos: ``amauta db migrate`` frente a ``prisma migrate deploy`` de 0_init, cada uno
   sobre una base vacía, intercalados (``benchmarks/comun``).

Sin acceso a binaries.prisma.sh (este entorno), el CLI usa su motor de esquemas WebAssembly
con el adaptador de PostgreSQL (``engine: "js"`` en prisma.config.ts) y rutas falsas para
los motores nativos, que no se usan. Ese camino experimental de Prisma 6.19 tiene tres
limitaciones del adaptador que el script corrige en su copia de ``@prisma/adapter-pg``
(el motor nativo no las tiene): no lee columnas de tipo ``name`` ni ``"char"`` del catálogo,
parte los scripts por ``;`` (rompe los cuerpos ``$$ ... $$`` de las funciones) y la base
sombra se crea con la URL de la principal y se borra con conexiones abiertas.

    .venv/bin/python benchmarks/prisma_real.py [--prisma-dir DIR] [--pares 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from comun import RAIZ, Comando, amauta, comparar, imprimir  # noqa: E402

PG_ADMIN = os.environ.get("AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
VERSION = "6.19"
CONFIG = """
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
const u = new URL(process.env.DATABASE_URL!);
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  async adapter() {
    return new PrismaPg({
      host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1),
      user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) || undefined,
    });
  },
});
"""
PARCHES = [
    ("    case ScalarColumnType.XML:\n      return", "    case ScalarColumnType.XML:\n    case 18:\n    case 19:\n      return"),
    (
        '    const statements = script.split(";").map((stmt) => stmt.trim()).filter((stmt) => stmt.length > 0);',
        "    const statements = [script];",
    ),
    (
        '      await conn.executeScript(`DROP DATABASE "${database}"`);\n      await client.end();',
        '      await client.end();\n      await conn.executeScript(`DROP DATABASE "${database}" WITH (FORCE)`);',
    ),
]


def instalar(carpeta: Path) -> Path:
    if not (carpeta / "node_modules" / ".bin" / "prisma").exists():
        carpeta.mkdir(parents=True, exist_ok=True)
        (carpeta / "package.json").write_text('{"name": "amauta-prisma-real", "private": true}\n')
        print(f"Instalando prisma@{VERSION} con npm en {carpeta}...", flush=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", f"prisma@{VERSION}", f"@prisma/adapter-pg@{VERSION}", "pg"],
            cwd=carpeta, check=True, stdout=subprocess.DEVNULL,
        )
    for nombre in ("index.js", "index.mjs"):
        ruta = carpeta / "node_modules" / "@prisma" / "adapter-pg" / "dist" / nombre
        texto = ruta.read_text()
        for viejo, nuevo in PARCHES:
            if nuevo not in texto:
                texto = texto.replace(viejo, nuevo)
        ruta.write_text(texto)
    for falso in ("falso.so.node", "falso-schema-engine"):
        (carpeta / falso).touch()
    return carpeta


class Prisma:
    def __init__(self, instalacion: Path, proyecto: Path):
        self.bin = str(instalacion / "node_modules" / ".bin" / "prisma")
        self.proyecto = proyecto
        proyecto.mkdir(parents=True, exist_ok=True)
        (proyecto / "prisma.config.ts").write_text(CONFIG)
        enlace = proyecto / "node_modules"
        if not enlace.exists():
            enlace.symlink_to(instalacion / "node_modules")
        self.env = {
            "PRISMA_QUERY_ENGINE_LIBRARY": str(instalacion / "falso.so.node"),
            "PRISMA_SCHEMA_ENGINE_BINARY": str(instalacion / "falso-schema-engine"),
            "PRISMA_HIDE_UPDATE_MESSAGE": "1",
            "CHECKPOINT_DISABLE": "1",
        }

    def argv(self, *args: str) -> list[str]:
        return [self.bin, *args]

    def correr(self, url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, **self.env, "DATABASE_URL": url.replace("+psycopg", "")}
        r = subprocess.run(self.argv(*args), cwd=self.proyecto, env=env, capture_output=True, text=True)
        if ok and r.returncode != 0:
            raise SystemExit(f"prisma {' '.join(args)} falló:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
        return r


def amauta_(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([*amauta(), "--db-url", url, *args], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "200"})
    if ok and r.returncode != 0:
        raise SystemExit(f"amauta {' '.join(args)} falló:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    return r


class Bases:
    def __init__(self) -> None:
        self.nombres: list[str] = []

    def nueva(self) -> str:
        import psycopg
        from sqlalchemy.engine import make_url

        nombre = f"amauta_prisma_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{nombre}"')
        self.nombres.append(nombre)
        return make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=nombre).render_as_string(hide_password=False)

    def borrar(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            for n in self.nombres:
                c.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
            for (n,) in c.execute("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'"):
                c.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')


def paso(texto: str) -> None:
    print(f"\n== {texto}", flush=True)


def catalogo(url: str):
    from amauta_cli.db import cerrar_motores, conexion
    from amauta_cli.services import catalogo as cat

    with conexion(url) as con:
        c = cat.leer(con)
    cerrar_motores()
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prisma-dir", type=Path, default=Path.home() / ".cache" / "amauta" / f"prisma-{VERSION}")
    ap.add_argument("--pares", type=int, default=5)
    args = ap.parse_args()
    instalacion = instalar(args.prisma_dir)
    bases = Bases()
    fallas: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_ = Path(tmp)
        try:
            # 1. La aplicación web llegó primero.
            paso("1. Adopción de una base creada por `prisma migrate deploy`")
            web = Prisma(instalacion, tmp_ / "web")
            (web.proyecto / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n')
            inicial = web.proyecto / "migrations" / "20240301120000_init"
            inicial.mkdir(parents=True)
            (inicial / "migration.sql").write_text((RAIZ / "tests" / "prisma" / "migration.sql").read_text())
            (web.proyecto / "migrations" / "migration_lock.toml").write_text('provider = "postgresql"\n')
            url = bases.nueva()
            web.correr(url, "migrate", "deploy")
            t0 = time.perf_counter()
            r = amauta_(url, "db", "migrate")
            print(f"amauta db migrate ({time.perf_counter() - t0:.2f} s):\n{r.stderr.strip()}")
            for comando in (["seed"], ["db", "backup", "--salida", f"{tmp}/respaldos/"]):
                amauta_(url, *comando)
            respaldo = next((tmp_ / "respaldos").glob("amauta-*.dump"))
            r = amauta_(url, "db", "restore", str(respaldo), "--limpiar", "--si", "--sin-respaldo")
            print(r.stderr.strip().splitlines()[-1])
            r = amauta_(url, "db", "verificar", ok=False)
            print(r.stderr.strip())
            if r.returncode != 0:
                fallas.append("verificar después de adoptar, sembrar y restaurar")
            r = web.correr(url, "migrate", "status", ok=False)
            print("prisma migrate status:", r.stdout.strip().splitlines()[-1])
            if "up to date" not in r.stdout:
                fallas.append("prisma migrate status después de restaurar")

            # 2. El schema.prisma exportado.
            paso("2. `amauta db prisma` frente a Prisma")
            app = Prisma(instalacion, tmp_ / "app")
            t0 = time.perf_counter()
            r = amauta_(url, "db", "prisma", "--salida", str(app.proyecto), "--prisma", "6")
            print(f"amauta db prisma ({time.perf_counter() - t0:.2f} s): {r.stderr.strip().splitlines()[0]}")
            print(app.correr(url, "validate").stdout.strip().splitlines()[-1])
            sql_prisma = app.correr(url, "migrate", "diff", "--from-empty", "--to-schema-datamodel", "schema.prisma", "--script").stdout
            url_p, url_a = bases.nueva(), bases.nueva()
            from prisma_base import ejecutar_sql

            ejecutar_sql(url_p, sql_prisma)
            amauta_(url_a, "db", "migrate")
            from amauta_cli.services.catalogo import diferencias

            difs = diferencias(catalogo(url_p), catalogo(url_a), excluir=set())
            esperadas = [d for d in difs if "idx_curso_busqueda" in d]
            otras = [d for d in difs if d not in esperadas]
            print(f"Prisma (schema.prisma → migrate diff → SQL) frente a `amauta db migrate`: "
                  f"{len(otras)} diferencias; además, lo que Prisma no expresa: {esperadas}")
            for d in otras:
                print("  ", d)
            if otras:
                fallas.append("el schema.prisma exportado no crea lo mismo que db migrate")
            r = app.correr(url, "migrate", "diff", "--from-migrations", "migrations", "--to-schema-datamodel",
                           "schema.prisma", "--script")
            print("migrate diff --from-migrations 0_init --to-schema schema.prisma:", r.stdout.strip())
            if "empty migration" not in r.stdout:
                fallas.append("migrate dev querría cambiar la base")

            # 3. Una base nueva creada por Prisma con 0_init.
            paso("3. `prisma migrate deploy` de 0_init en una base vacía")
            url_c = bases.nueva()
            app.correr(url_c, "migrate", "deploy")
            for comando in (["db", "verificar"], ["db", "migrate"]):
                r = amauta_(url_c, *comando, ok=False)
                print(f"amauta {' '.join(comando)}: {r.stderr.strip().splitlines()[-1]}")
                if r.returncode != 0:
                    fallas.append(f"amauta {' '.join(comando)} sobre la base de 0_init")

            # 4. Tiempos.
            paso("4. Crear el esquema: amauta db migrate frente a prisma migrate deploy de 0_init")
            a = Comando(["sh", "-c", 'exec "$@" --db-url "$URL" db migrate', "sh", *amauta()], env={})
            b = Comando(["sh", "-c", 'exec "$@" migrate deploy', "sh", *app.argv()], env=dict(app.env),
                        cwd=str(app.proyecto))

            def base_para_a() -> None:
                a.env["URL"] = bases.nueva()  # fuera del tiempo medido

            def base_para_b() -> None:
                b.env["DATABASE_URL"] = bases.nueva().replace("+psycopg", "")

            a.antes, b.antes = base_para_a, base_para_b
            imprimir([comparar("crear el esquema en una base vacía", a, b, pares=args.pares,
                               base="prisma migrate deploy (0_init)")])
        finally:
            bases.borrar()
    print()
    if fallas:
        print("FALLAS: " + "; ".join(fallas))
        raise SystemExit(1)
    print("Todo coincide.")


if __name__ == "__main__":
    main()
