"""El archivo (migración 0006) con la seguridad por escuelas (0005) y su auditoría.

Con credenciales de escuela: se lee el archivo propio (``--incluir-archivo``) y nada del de
otra escuela; no se escribe en el archivo; ``db archivar``/``desarchivar``/``copiar`` (de toda la
base) se rechazan. Archivar deja una fila de auditoría por tabla movida, no una por fila.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from conftest import PG_ADMIN_URL, REQUIERE_PG, BaseDePrueba, invocar, pg_disponible
from fabrica import GRUPO_1A as GRUPO, INST_A, INST_B, VISIBLES_A, VISIBLES_B, ejecutar_como, filas_como

HASTA = "2025-01-01"  # la asistencia de los datos es de marzo de 2024


@pytest.fixture(params=["postgresql"])
def motor(request) -> str:
    if not pg_disponible():
        if REQUIERE_PG:
            pytest.fail(f"PostgreSQL no responde en {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL no disponible")
    return request.param


def _archivar(bd: BaseDePrueba) -> None:
    # Las notas de los datos son de hoy: se las fecha en 2024 para que también se archiven.
    bd.ejecutar('UPDATE "Calificacion" SET "createdAt" = \'2024-03-10\'')
    r = invocar(bd.url, "db", "archivar", "--hasta", HASTA, "--si")
    assert r.codigo == 0, r.texto


def _vistas(url: str, tabla: str) -> tuple[int, int]:
    vivas = filas_como(url, f'SELECT count(*) FROM "{tabla}"')[0][0]
    archivadas = filas_como(url, f'SELECT count(*) FROM archivo."{tabla}"')[0][0]
    return vivas, archivadas


def test_cada_escuela_lee_solo_su_archivo(escuelas, roles_escuela):
    a, b = roles_escuela
    _archivar(escuelas)
    assert escuelas.contar("Asistencia") == 0
    for rol, visibles in ((a, VISIBLES_A), (b, VISIBLES_B)):
        for tabla in ("Asistencia", "Calificacion"):
            assert _vistas(rol.url, tabla) == (0, visibles[tabla]), (rol.institucion, tabla)
    # Ningún grupo ajeno en lo que A lee del archivo.
    grupos_a = {f[0] for f in filas_como(a.url, 'SELECT id FROM "Grupo"')}
    for tabla in ("Asistencia", "Calificacion"):
        assert {f[0] for f in filas_como(a.url, f'SELECT "grupoId" FROM archivo."{tabla}"')} <= grupos_a


def test_la_escuela_no_escribe_en_el_archivo_ni_lee_el_progreso(escuelas, roles_escuela):
    a, _b = roles_escuela
    _archivar(escuelas)
    antes = escuelas.filas('SELECT id FROM archivo."Asistencia" ORDER BY id')
    for sql in (
        'DELETE FROM archivo."Asistencia"',
        'UPDATE archivo."Calificacion" SET nota = 10',
        'INSERT INTO archivo."Asistencia" SELECT * FROM archivo."Asistencia" LIMIT 1',
        'SELECT count(*) FROM archivo."Progreso"',
        # Apagar disparadores (lo que hace db archivar) es solo del dueño de la tabla.
        'ALTER TABLE "Asistencia" DISABLE TRIGGER amauta_auditar_delete',
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ejecutar_como(a.url, sql)
    assert escuelas.filas('SELECT id FROM archivo."Asistencia" ORDER BY id') == antes


def test_reporte_con_credenciales_de_escuela_incluye_su_archivo(escuelas, roles_escuela):
    a, _b = roles_escuela
    args = ("asistencia", "reporte", "-g", GRUPO, "--desde", "2024-03-01", "--hasta", "2024-03-31", "-f", "json")
    antes = json.loads(invocar(a.url, *args).stdout)["totales"]
    assert antes["registrados"] == 4  # Ana y Beto, dos días
    _archivar(escuelas)
    r = invocar(a.url, *args)
    assert r.codigo == 0, r.texto
    assert json.loads(r.stdout)["totales"]["registrados"] == 0
    assert "en el archivo" in r.stderr and "--incluir-archivo" in r.stderr
    r = invocar(a.url, *args, "--incluir-archivo")
    assert r.codigo == 0, r.texto
    assert json.loads(r.stdout)["totales"] == antes


@pytest.mark.parametrize(
    "comando",
    [
        ("db", "archivar", "--hasta", HASTA, "--si"),
        ("db", "desarchivar", "--si"),
        ("db", "copiar", "--destino", "sqlite:////tmp/amauta-no-se-crea.db", "--si"),
    ],
    ids=["archivar", "desarchivar", "copiar"],
)
def test_comandos_de_toda_la_base_rechazan_credenciales_de_escuela(escuelas, roles_escuela, comando):
    a, _b = roles_escuela
    antes = escuelas.instantanea()
    r = invocar(a.url, *comando)
    assert r.codigo == 1, r.texto
    assert "credenciales de administración" in r.stderr and a.rol in r.stderr
    assert "Traceback" not in r.texto
    assert escuelas.instantanea() == antes


def test_archivar_deja_una_fila_de_auditoria_por_tabla(escuelas):
    escuelas.ejecutar('UPDATE "Calificacion" SET "createdAt" = \'2024-03-10\'')
    antes = escuelas.valor('SELECT max(id) FROM "_amauta_auditoria"')
    assert invocar(escuelas.url, "db", "archivar", "--hasta", HASTA, "--si").codigo == 0
    nuevas = escuelas.filas(
        'SELECT operacion, tabla, "registroId", despues FROM "_amauta_auditoria" WHERE id > :m ORDER BY id', m=antes
    )
    filas = VISIBLES_A["Asistencia"] + VISIBLES_B["Asistencia"]
    notas = VISIBLES_A["Calificacion"] + VISIBLES_B["Calificacion"]
    assert [(o, t, r, d["filas"], d["hasta"]) for o, t, r, d in nuevas] == [
        ("ARCHIVAR", "Asistencia", "*", filas, HASTA),
        ("ARCHIVAR", "Calificacion", "*", notas, HASTA),
    ]
    # Los disparadores siguen en su lugar: un cambio después se audita como siempre.
    assert invocar(escuelas.url, "db", "verificar").codigo == 0
    assert invocar(escuelas.url, "db", "desarchivar", "--si").codigo == 0
    nuevas = escuelas.filas(
        'SELECT operacion, tabla FROM "_amauta_auditoria" WHERE id > :m ORDER BY id', m=antes
    )
    assert nuevas[2:] == [("DESARCHIVAR", "Asistencia"), ("DESARCHIVAR", "Calificacion")]
    escuelas.ejecutar('DELETE FROM "Asistencia" WHERE id = (SELECT min(id) FROM "Asistencia")')
    assert escuelas.valor('SELECT operacion FROM "_amauta_auditoria" ORDER BY id DESC LIMIT 1') == "DELETE"
    # El listado de auditoría muestra el resumen con sus filas.
    r = invocar(escuelas.url, "auditoria", "-f", "json")
    assert r.codigo == 0, r.texto
    acciones = [f["accion"] for f in json.loads(r.stdout)]
    assert "archivo" in acciones and "desarchivo" in acciones


def test_tras_restaurar_la_escuela_sigue_leyendo_su_archivo(escuelas, roles_escuela, tmp_path):
    a, _b = roles_escuela
    _archivar(escuelas)
    r = invocar(escuelas.url, "db", "backup", "--salida", f"{tmp_path}/r/")
    assert r.codigo == 0, r.texto
    respaldo = next(p for p in (tmp_path / "r").iterdir() if not p.name.endswith(".json"))  # no el manifiesto
    r = invocar(escuelas.url, "db", "restore", str(respaldo), "--limpiar", "--si")
    assert r.codigo == 0, r.texto
    assert _vistas(a.url, "Asistencia") == (0, VISIBLES_A["Asistencia"])


def test_bajar_la_0006_quita_permisos_y_politicas_del_archivo(escuelas, roles_escuela):
    a, _b = roles_escuela
    permisos = (
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'amauta_escuela' "
        "AND table_schema = 'archivo'"
    )
    assert escuelas.valor(permisos) == 2
    assert escuelas.valor("SELECT count(*) FROM pg_policies WHERE schemaname = 'archivo'") == 4
    r = invocar(escuelas.url, "db", "rollback", "--revision", "0005", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert escuelas.valor(permisos) == 0
    assert escuelas.valor("SELECT count(*) FROM pg_policies WHERE schemaname = 'archivo'") == 0
    assert escuelas.valor("SELECT to_regnamespace('archivo')") is None
    assert "archivo" not in escuelas.valor("SELECT prosrc FROM pg_proc WHERE proname = 'amauta_conceder_permisos'")
    # Las escuelas siguen leyendo lo vivo como antes, y la 0006 se vuelve a aplicar entera.
    assert filas_como(a.url, 'SELECT count(*) FROM "Asistencia"')[0][0] == VISIBLES_A["Asistencia"]
    assert invocar(escuelas.url, "db", "migrate").codigo == 0
    assert escuelas.valor(permisos) == 2
    assert invocar(escuelas.url, "db", "verificar").codigo == 0


def test_db_verificar_vigila_la_seguridad_del_archivo(escuelas):
    assert invocar(escuelas.url, "db", "verificar").codigo == 0
    escuelas.ejecutar('ALTER TABLE archivo."Asistencia" DISABLE ROW LEVEL SECURITY')
    escuelas.ejecutar('DROP POLICY amauta_escuela ON archivo."Calificacion"')
    r = invocar(escuelas.url, "db", "verificar")
    assert r.codigo == 1
    assert 'la seguridad por filas está apagada en archivo."Asistencia"' in r.stderr, r.stderr
    assert 'falta la política "amauta_escuela" en archivo."Calificacion"' in r.stderr, r.stderr


def test_copiar_de_sqlite_a_postgresql_rearma_las_escuelas_y_sigue_auditando(escuelas, tmp_path):
    """PostgreSQL → SQLite → PostgreSQL nueva: la auditoría llega tal cual (sin altas de más),
    el mapa de personas de cada escuela (exalumnos incluidos) se rearma y la siguiente escritura
    se audita con un id nuevo."""
    import uuid

    from conftest import borrar_bd_pg, crear_bd_pg, url_pg

    assert invocar(escuelas.url, "db", "archivar", "--hasta", HASTA, "--si").codigo == 0  # la asistencia
    auditoria = escuelas.filas('SELECT id, operacion, tabla, "registroId" FROM "_amauta_auditoria" ORDER BY id')
    vinculos = escuelas.filas('SELECT * FROM "_amauta_vinculo" ORDER BY 1, 2')
    sqlite = f"sqlite:///{tmp_path}/escuelas.db"
    r = invocar(escuelas.url, "db", "copiar", "--destino", sqlite, "--si")
    assert r.codigo == 0, r.texto
    nombre = f"amauta_test_{uuid.uuid4().hex[:10]}"
    crear_bd_pg(nombre)
    try:
        destino = url_pg(nombre)
        r = invocar(sqlite, "db", "copiar", "--destino", destino, "--si")
        assert r.codigo == 0, r.texto
        otra = BaseDePrueba("postgresql", destino)
        assert otra.filas('SELECT id, operacion, tabla, "registroId" FROM "_amauta_auditoria" ORDER BY id') == auditoria
        assert otra.filas('SELECT * FROM "_amauta_vinculo" ORDER BY 1, 2') == vinculos
        otra.ejecutar('DELETE FROM archivo."Asistencia" WHERE false')  # el archivo existe
        otra.ejecutar('UPDATE "Calificacion" SET nota = 9 WHERE id = (SELECT min(id) FROM "Calificacion")')
        ultima = otra.filas('SELECT id, operacion FROM "_amauta_auditoria" ORDER BY id DESC LIMIT 1')
        assert ultima == [(auditoria[-1][0] + 1, "UPDATE")]
        assert invocar(destino, "db", "verificar").codigo == 0
    finally:
        from amauta_cli.db import cerrar_motores

        cerrar_motores()
        borrar_bd_pg(nombre)
