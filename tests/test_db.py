"""``amauta db``: migrar, revertir, estado, historial, verificar y entorno, en ambos motores."""

from __future__ import annotations

import csv
import io
import json

import pytest

from amauta_cli.services import esquema
from conftest import invocar


def _esquema_fisico(bd) -> dict:
    """Tablas, columnas, índices y claves foráneas tal como las ve el inspector."""
    from sqlalchemy import inspect

    with bd.engine().connect() as con:
        insp = inspect(con)
        resultado = {}
        for t in sorted(insp.get_table_names()):
            resultado[t] = (
                [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
                sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(t)),
                sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(t)),
            )
    return resultado


def _enums_pg(bd) -> set[str]:
    if bd.motor != "postgresql":
        return set()
    return {n for (n,) in bd.filas("SELECT typname FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid")}


# --- migrate / rollback ---------------------------------------------------------------------------
def test_subir_bajar_a_base_y_subir_no_deja_rastro(bd_vacia):
    assert invocar(bd_vacia.url, "db", "migrate").codigo == 0
    esquema_inicial = _esquema_fisico(bd_vacia)
    # Las 14 de los modelos; las propias de amauta empiezan con "_amauta" (meta, búsqueda).
    assert len([t for t in esquema_inicial if t != "alembic_version" and not t.startswith("_amauta")]) == 14
    assert len(_enums_pg(bd_vacia)) == (9 if bd_vacia.motor == "postgresql" else 0)

    r = invocar(bd_vacia.url, "db", "rollback", "--revision", "base", "--si")
    assert r.codigo == 0, r.texto
    assert "0001" in r.stderr and "base" in r.stderr
    restantes = set(_esquema_fisico(bd_vacia)) - {"alembic_version"}
    assert restantes == set()
    assert _enums_pg(bd_vacia) == set()

    assert invocar(bd_vacia.url, "db", "migrate").codigo == 0
    assert _esquema_fisico(bd_vacia) == esquema_inicial
    assert invocar(bd_vacia.url, "db", "verificar").codigo == 0


def test_migrate_hasta_una_revision_y_luego_el_resto(bd_vacia):
    r = invocar(bd_vacia.url, "db", "migrate", "--revision", "0001")
    assert r.codigo == 0, r.texto
    assert bd_vacia.valor("SELECT version_num FROM alembic_version") == "0001"
    r = invocar(bd_vacia.url, "db", "migrate")
    assert r.codigo == 0
    assert bd_vacia.valor("SELECT version_num FROM alembic_version") == esquema.cabeza()
    assert "0001" not in r.stderr.split("Migración completa")[0].replace("0001 →", "")


def test_rollback_pasos_confirmado_por_teclado(bd):
    antes = esquema.cabeza()
    revs = [s.revision for s in esquema.revisiones()]
    r = invocar(bd.url, "db", "rollback", "--pasos", "1", input="s\n")
    assert r.codigo == 0, r.texto
    assert f"{antes}:" in r.stderr  # lista lo que se deshará
    assert bd.valor("SELECT version_num FROM alembic_version") == revs[-2]


def test_rollback_sin_confirmar_no_cambia_nada(bd):
    antes = _esquema_fisico(bd)
    r = invocar(bd.url, "db", "rollback", "--revision", "base", input="n\n")
    assert r.codigo == 1
    assert "cancelada" in r.stderr
    assert _esquema_fisico(bd) == antes
    # Sin terminal ni --si (entrada vacía, como en CI) tampoco se hace nada.
    r = invocar(bd.url, "db", "rollback")
    assert r.codigo == 1 and "--si" in r.stderr
    assert _esquema_fisico(bd) == antes


def test_rollback_rechazos_claros(bd, bd_vacia):
    n = len(esquema.revisiones())
    r = invocar(bd.url, "db", "rollback", "--pasos", str(n + 1), "--si")
    assert r.codigo == 1 and f"{n} migraciones aplicadas" in r.stderr
    r = invocar(bd.url, "db", "rollback", "--pasos", "1", "--revision", "base", "--si")
    assert r.codigo == 1 and "no ambos" in r.stderr
    r = invocar(bd_vacia.url, "db", "rollback", "--si")
    assert r.codigo == 1 and "no hay nada que revertir" in r.stderr


def test_revision_desconocida(bd_vacia):
    r = invocar(bd_vacia.url, "db", "migrate", "--revision", "zzzz")
    assert r.codigo == 1
    assert "Revisión desconocida: 'zzzz'" in r.stderr and "0001" in r.stderr
    assert "Traceback" not in r.texto


def test_migrate_a_una_revision_anterior_sugiere_rollback(bd):
    r = invocar(bd.url, "db", "migrate", "--revision", "0001")
    assert r.codigo == 1
    assert "amauta db rollback --revision 0001" in r.stderr


def test_migrate_sql_imprime_sin_tocar_la_base(bd_vacia):
    r = invocar(bd_vacia.url, "db", "migrate", "--sql")
    assert r.codigo == 0, r.texto
    assert 'CREATE TABLE "Usuario"' in r.stdout
    assert "alembic_version" in r.stdout
    if bd_vacia.motor == "postgresql":
        assert 'CREATE TYPE "Rol" AS ENUM' in r.stdout
        assert "idx_curso_busqueda" in r.stdout
    from sqlalchemy import inspect

    with bd_vacia.engine().connect() as con:
        assert inspect(con).get_table_names() == []


def test_migrate_sql_de_una_base_al_dia_no_imprime_sql(bd):
    r = invocar(bd.url, "db", "migrate", "--sql")
    assert r.codigo == 0 and r.stdout == ""
    assert "no hay SQL" in r.stderr
    r = invocar(bd.url, "db", "migrate", "--sql", "--desde", "base")
    assert 'CREATE TABLE "Usuario"' in r.stdout


# --- estado / historial ---------------------------------------------------------------------------
@pytest.mark.rapida
def test_estado_en_cada_formato(bd):
    bd.ejecutar(
        "INSERT INTO \"Categoria\" (id, nombre, slug, \"createdAt\", \"updatedAt\") "
        "VALUES ('c1', 'Arte', 'arte', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    r = invocar(bd.url, "db", "estado", "--formato", "json")
    assert r.codigo == 0, r.texto
    e = json.loads(r.stdout)
    assert e["motor"] == bd.motor
    assert e["revision_actual"] == e["revision_cabeza"] == esquema.cabeza()
    assert e["pendientes"] == [] and e["al_dia"] is True
    assert e["tablas"]["Categoria"] == 1 and e["tablas"]["Usuario"] == 0
    assert len([t for t in e["tablas"] if not t.startswith("_")]) == 14
    assert e["version_servidor"]

    r = invocar(bd.url, "db", "estado", "--formato", "csv")
    filas = {f["campo"]: f["valor"] for f in csv.DictReader(io.StringIO(r.stdout))}
    assert filas["filas.Categoria"] == "1" and filas["motor"] == bd.motor

    r = invocar(bd.url, "db", "estado")
    assert "Revisión actual" in r.stdout and "Categoria" in r.stdout and "sin marcar" in r.stdout


def test_estado_muestra_pendientes(bd_vacia):
    invocar(bd_vacia.url, "db", "migrate", "--revision", "0001")
    e = json.loads(invocar(bd_vacia.url, "db", "estado", "-f", "json").stdout)
    assert e["revision_actual"] == "0001" and "0002" in e["pendientes"] and e["al_dia"] is False
    r = invocar(bd_vacia.url, "db", "estado")
    assert "amauta db migrate" in r.stderr


def test_historial_marca_la_actual(bd_vacia):
    invocar(bd_vacia.url, "db", "migrate", "--revision", "0001")
    filas = json.loads(invocar(bd_vacia.url, "db", "historial", "-f", "json").stdout)
    por_rev = {f["revision"]: f for f in filas}
    assert por_rev["0001"]["actual"] is True and por_rev["0001"]["aplicada"] is True
    assert por_rev["0002"]["aplicada"] is False
    texto = invocar(bd_vacia.url, "db", "historial").stdout
    assert "→ actual" in texto and "pendiente" in texto


# --- verificar (deriva) ------------------------------------------------------------------------------
def test_verificar_sin_deriva(bd):
    r = invocar(bd.url, "db", "verificar")
    assert r.codigo == 0, r.texto
    assert "Sin deriva" in r.stderr


def test_verificar_detecta_cambios_manuales(bd):
    bd.ejecutar('DROP INDEX "Usuario_rol_idx"')
    bd.ejecutar('ALTER TABLE "Usuario" ADD COLUMN "apodo" TEXT')
    bd.ejecutar('CREATE TABLE "Extra" (id INTEGER PRIMARY KEY)')
    if bd.motor == "postgresql":
        bd.ejecutar('ALTER TABLE "Perfil" DROP CONSTRAINT "Perfil_usuarioId_fkey"')
        bd.ejecutar(
            'ALTER TABLE "Perfil" ADD CONSTRAINT "Perfil_usuarioId_fkey" FOREIGN KEY ("usuarioId") '
            'REFERENCES "Usuario"(id) ON DELETE CASCADE ON UPDATE CASCADE'
        )
        bd.ejecutar('ALTER TABLE "Curso" ALTER COLUMN "idioma" DROP DEFAULT')
        bd.ejecutar("ALTER TYPE \"Rol\" ADD VALUE 'INVITADO'")
        bd.ejecutar('DROP INDEX "idx_curso_busqueda"')
    r = invocar(bd.url, "db", "verificar")
    assert r.codigo == 1
    assert 'falta el índice "Usuario_rol_idx"' in r.stderr
    assert '"Usuario"."apodo" sobra' in r.stderr
    assert 'la tabla "Extra" sobra' in r.stderr
    if bd.motor == "postgresql":
        assert '"Perfil_usuarioId_fkey": ON DELETE es CASCADE, debería ser RESTRICT' in r.stderr
        assert '"Curso"."idioma" tiene DEFAULT None' in r.stderr
        assert 'el enum "Rol" tiene los valores' in r.stderr and "INVITADO" in r.stderr
        assert "idx_curso_busqueda" in r.stderr


# --- entorno --------------------------------------------------------------------------------------------
def test_entorno_se_guarda_en_la_base(bd):
    assert invocar(bd.url, "db", "entorno").stdout.strip() == "sin marcar"
    r = invocar(bd.url, "db", "entorno", "Producción")
    assert r.codigo == 0 and "sin marcar → produccion" in r.stderr
    assert invocar(bd.url, "db", "entorno").stdout.strip() == "produccion"
    assert json.loads(invocar(bd.url, "db", "estado", "-f", "json").stdout)["entorno"] == "produccion"
    r = invocar(bd.url, "db", "entorno", "staging")
    assert r.codigo == 1
    assert "entorno: 'staging' no es un valor válido (produccion, desarrollo, pruebas)" in r.stderr
    assert bd.valor("SELECT valor FROM _amauta_meta WHERE clave = 'entorno'") == "produccion"


def test_rollback_en_produccion_exige_escribir_el_nombre(bd):
    invocar(bd.url, "db", "entorno", "produccion")
    from amauta_cli.db import datos_conexion

    nombre = datos_conexion(bd.url).base
    r = invocar(bd.url, "db", "rollback", "--si")
    assert r.codigo == 1 and "producción" in r.stderr
    assert bd.valor("SELECT version_num FROM alembic_version") == esquema.cabeza()
    r = invocar(bd.url, "db", "rollback", "--si", input="otra\n")
    assert r.codigo == 1
    r = invocar(bd.url, "db", "rollback", "--si", input=f"{nombre}\n")
    assert r.codigo == 0, r.texto
    assert bd.valor("SELECT version_num FROM alembic_version") != esquema.cabeza()


# --- errores --------------------------------------------------------------------------------------------
def test_base_mas_nueva_que_el_codigo(bd):
    bd.ejecutar("UPDATE alembic_version SET version_num = '9999futura'")
    for args in (["db", "migrate"], ["db", "rollback", "--si"], ["db", "verificar"]):
        r = invocar(bd.url, *args)
        assert r.codigo == 1, args
        assert "9999futura" in r.stderr and "más nueva que el código" in r.stderr
        assert "Traceback" not in r.texto
    e = json.loads(invocar(bd.url, "db", "estado", "-f", "json").stdout)
    assert e["revision_desconocida"] is True


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_errores_de_conexion_postgresql(motor):
    r = invocar("postgresql://postgres:secreto-muy-largo@127.0.0.1:1/amauta", "db", "estado")
    assert r.codigo == 1
    assert "No se pudo conectar con el servidor PostgreSQL en 127.0.0.1:1" in r.stderr
    assert "pg_isready -h 127.0.0.1 -p 1" in r.stderr
    assert "secreto-muy-largo" not in r.texto and "***" in r.stderr
    assert "Traceback" not in r.texto

    r = invocar("postgresql://postgres@127.0.0.1:5432/amauta_no_existe_xyz", "db", "migrate")
    assert r.codigo == 1
    assert "La base de datos 'amauta_no_existe_xyz' no existe" in r.stderr and "createdb" in r.stderr

    r = invocar("postgresql://rol_inexistente_xyz@127.0.0.1:5432/postgres", "db", "estado")
    assert r.codigo == 1 and "'rol_inexistente_xyz' no existe" in r.stderr


def test_error_de_contrasena_incorrecta_se_traduce():
    """El servidor local usa trust; se traduce el error real que psycopg levanta con md5/scram."""
    import psycopg
    from sqlalchemy import exc

    orig = psycopg.OperationalError(
        'connection failed: FATAL:  password authentication failed for user "amauta"'
    )
    e = exc.OperationalError("SELECT 1", {}, orig)
    from amauta_cli.db import error_de_conexion

    t = error_de_conexion(e, "postgresql+psycopg://amauta:clave@db.escuela:6432/prod")
    assert t is not None
    assert "rechazó la contraseña del usuario 'amauta'" in t.mensaje
    assert "db.escuela:6432" in t.mensaje and "clave@" not in t.mensaje and "***" in t.mensaje


@pytest.mark.parametrize("motor", ["sqlite"], indirect=True)
def test_errores_sqlite(motor, tmp_path):
    basura = tmp_path / "no-es-sqlite.db"
    basura.write_bytes(b"esto no es una base de datos" * 200)
    r = invocar(f"sqlite:///{basura}", "db", "estado")
    assert r.codigo == 1 and "no es una base SQLite válida" in r.stderr
    assert "Traceback" not in r.texto


@pytest.mark.rapida
def test_comando_de_datos_sobre_base_sin_esquema(bd_vacia):
    r = invocar(bd_vacia.url, "db", "entorno", "pruebas")
    assert r.codigo == 1 and "amauta db migrate" in r.stderr


# --- concurrencia ------------------------------------------------------------------------------------
@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_dos_migrate_a_la_vez_se_serializan(bd_vacia):
    """Mientras otro tiene el bloqueo consultivo, migrate avisa que espera; luego sigue."""
    import os
    import subprocess
    import sys
    import time

    import psycopg

    dsn = bd_vacia.url.replace("postgresql+psycopg://", "postgresql://")
    bloqueo = psycopg.connect(dsn)
    bloqueo.execute("SELECT pg_advisory_xact_lock(%s)", (esquema.CLAVE_BLOQUEO_MIGRACION,))
    env = dict(os.environ, AMAUTA_DATABASE_URL=bd_vacia.url)
    procesos = [
        subprocess.Popen(
            [sys.executable, "-m", "amauta_cli", "db", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        time.sleep(3)
        assert all(p.poll() is None for p in procesos), "migrate no esperó el bloqueo"
        assert bd_vacia.valor("SELECT count(*) FROM pg_tables WHERE schemaname='public'") == 0
    finally:
        bloqueo.rollback()  # suelta el bloqueo
        bloqueo.close()
    salidas = [p.communicate(timeout=60) for p in procesos]
    assert [p.returncode for p in procesos] == [0, 0], salidas
    errs = [e for _, e in salidas]
    assert all("esperando a que termine" in e for e in errs)
    assert sum("Migración completa" in e for e in errs) == 1
    assert sum("ya está al día" in e for e in errs) == 1
    assert bd_vacia.valor("SELECT version_num FROM alembic_version") == esquema.cabeza()
