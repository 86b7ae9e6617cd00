"""``amauta db copiar``: SQLite → PostgreSQL y PostgreSQL → SQLite, todo o nada, comparado."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from conftest import borrar_bd_pg, crear_bd_pg, invocar, pg_disponible, url_prueba


@pytest.fixture
def destino(motor, tmp_path):
    """Una base destino vacía del OTRO motor que el de la prueba."""
    if motor == "sqlite":
        if not pg_disponible():
            pytest.skip("PostgreSQL no disponible")
        nombre = f"amauta_test_{uuid.uuid4().hex[:10]}"
        crear_bd_pg(nombre)
        yield url_prueba(nombre)
        borrar_bd_pg(nombre)
    else:
        yield f"sqlite:///{tmp_path / 'copia.db'}"
        from amauta_cli.db import cerrar_motores

        cerrar_motores()


def _claves(url: str) -> dict[str, set]:
    from conftest import BaseDePrueba

    b = BaseDePrueba("", url)
    return {
        "usuarios": set(b.filas('SELECT id, email FROM "Usuario"')),
        "asistencia": {(i, str(f)[:19]) for i, f in b.filas('SELECT id, fecha FROM "Asistencia"')},
        "notas": {(i, n) for i, n in b.filas('SELECT id, nota FROM "Calificacion"')},
        "creados": {(i, str(c)[:19]) for i, c in b.filas('SELECT id, "createdAt" FROM "Usuario"')},
    }


def test_copiar_y_volver_con_cuentas_y_sumas_iguales(bd_seed, cli_seed, destino):
    assert cli_seed("db", "archivar", "--hasta", date.today().isoformat(), "--si").codigo == 0
    r = cli_seed("db", "copiar", "--destino", destino, "--si", "--formato", "json")
    assert r.codigo == 0, r.texto
    tablas = {t["tabla"]: t for t in json.loads(r.stdout)}
    assert all(t["iguales"] for t in tablas.values())
    assert tablas["Usuario"]["filas_destino"] == 8
    assert tablas["archivo Calificacion"]["filas_destino"] == 4
    assert "sumas de control iguales" in r.stderr
    # ids y fechas intactos
    assert _claves(destino) == _claves(bd_seed.url)
    # el destino es una base de amauta al día, sin deriva, y funciona
    assert invocar(destino, "db", "verificar").codigo == 0
    rep = invocar(destino, "calificaciones", "reporte", "-g", "4to Grado A", "--incluir-archivo")
    assert rep.codigo == 0 and "8,75" in rep.stdout


def test_destino_con_datos_se_rechaza_sin_cambiarlo(bd_seed, cli_seed, destino):
    assert cli_seed("db", "copiar", "--destino", destino, "--si").codigo == 0
    invocar(destino, "usuarios", "editar", "lucas.fernandez@mail.com", "--nombre", "Otro")
    antes = _claves(destino)
    r = cli_seed("db", "copiar", "--destino", destino, "--si")
    assert r.codigo == 1 and "no está vacío" in r.stderr and "Usuario (8 filas)" in r.stderr
    assert _claves(destino) == antes


def test_destino_en_otra_revision_se_rechaza(bd_seed, cli_seed, destino):
    assert invocar(destino, "db", "migrate", "--revision", "0003").codigo == 0
    r = cli_seed("db", "copiar", "--destino", destino, "--si")
    assert r.codigo == 1 and "revisión de esquema '0003'" in r.stderr
    from conftest import BaseDePrueba

    assert BaseDePrueba("", destino).valor("SELECT version_num FROM alembic_version") == "0003"


def test_destino_migrado_y_vacio_se_acepta(bd_seed, cli_seed, destino):
    assert invocar(destino, "db", "migrate").codigo == 0
    r = cli_seed("db", "copiar", "--destino", destino, "--si")
    assert r.codigo == 0, r.texto
    assert "sin filas" in r.stderr


def test_sin_confirmar_no_se_escribe_nada(bd_seed, cli_seed, destino):
    r = cli_seed("db", "copiar", "--destino", destino, input="n\n")
    assert r.codigo == 1
    if destino.startswith("sqlite"):
        from amauta_cli.db import ruta_sqlite

        assert not ruta_sqlite(destino).exists()
    else:
        from conftest import BaseDePrueba

        assert BaseDePrueba("", destino).filas(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ) == []


def test_destino_invalido(cli_seed):
    r = cli_seed("db", "copiar", "--destino", "mysql://x/y", "--si")
    assert r.codigo == 2 and "--destino" in r.stderr and "postgresql://" in r.stderr
    r = cli_seed("db", "copiar", "--destino", "postgresql://postgres@127.0.0.1:5432/amauta_no_existe_xyz", "--si")
    assert r.codigo == 1 and "no existe" in r.stderr and "Traceback" not in r.texto
