"""Respaldos y restauraciones con la seguridad por escuelas (PostgreSQL): se conservan las
políticas, el mapa de accesos, los permisos del rol de grupo y la auditoría; en un servidor
sin los roles de escuela, la restauración dice cuáles faltan y cómo recrearlos."""

from __future__ import annotations

import pytest
from conftest import PG_ADMIN_URL, REQUIERE_PG, BaseDePrueba, invocar, pg_disponible
from fabrica import (
    INST_A,
    PASSWORD_ROL,
    VISIBLES_A,
    borrar_roles,
    filas_como,
    url_como,
)


@pytest.fixture(params=["postgresql"])
def motor(request) -> str:
    if not pg_disponible():
        if REQUIERE_PG:
            pytest.fail(f"PostgreSQL no responde en {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL no disponible")
    return request.param


def _politicas(bd: BaseDePrueba) -> set:
    return set(bd.filas("SELECT tablename, policyname, permissive, roles::text, qual, with_check FROM pg_policies"))


def _permisos(bd: BaseDePrueba) -> set:
    return set(
        bd.filas(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'amauta_escuela'"
        )
    )


def _respaldar(bd: BaseDePrueba, carpeta) -> str:
    r = invocar(bd.url, "db", "backup", "--salida", str(carpeta) + "/")
    assert r.codigo == 0, r.texto
    return str(next(p for p in carpeta.iterdir() if not p.name.endswith(".json")))


def test_restaurar_conserva_politicas_mapa_permisos_y_auditoria(escuelas, roles_escuela, bd_vacia, tmp_path):
    a, _ = roles_escuela
    politicas, permisos = _politicas(escuelas), _permisos(escuelas)
    assert len(politicas) == 2 * 10 and permisos
    antes = escuelas.instantanea()
    archivo = _respaldar(escuelas, tmp_path)
    r = invocar(bd_vacia.url, "db", "restore", archivo, "--si")
    assert r.codigo == 0, r.texto
    assert "Faltan" not in r.stderr  # los roles existen: mismo servidor
    assert bd_vacia.instantanea() == antes  # incluye _amauta_acceso, _amauta_vinculo y la auditoría
    assert _politicas(bd_vacia) == politicas
    assert _permisos(bd_vacia) == permisos
    # El rol de la escuela entra a la base restaurada y ve exactamente lo suyo.
    url = url_como(bd_vacia.url, a.rol)
    assert {t: filas_como(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in VISIBLES_A} == VISIBLES_A
    # Y la auditoría sigue escribiéndose (disparadores restaurados).
    n = bd_vacia.contar("_amauta_auditoria")
    bd_vacia.ejecutar('UPDATE "Calificacion" SET nota = nota')
    assert bd_vacia.contar("_amauta_auditoria") == n + bd_vacia.contar("Calificacion")


def test_restaurar_donde_faltan_los_roles_dice_cuales_y_como_recrearlos(escuelas, bd_vacia, tmp_path):
    from fabrica import crear_rol

    rol = crear_rol(escuelas.url, INST_A, "r")
    try:
        archivo = _respaldar(escuelas, tmp_path)
    finally:
        borrar_roles([rol.rol])  # como si el servidor destino no lo tuviera
    r = invocar(bd_vacia.url, "db", "restore", archivo, "--si")
    assert r.codigo == 0, r.texto
    assert "Faltan en este servidor 1 rol de escuela" in r.stderr
    assert f"{rol.rol} ({INST_A})" in r.stderr
    assert f'amauta accesos crear --institucion "{INST_A}" --rol {rol.rol}' in r.stderr
    listado = invocar(bd_vacia.url, "accesos", "listar", "--formato", "json")
    assert [f["existe"] for f in __import__("json").loads(listado.stdout) if f["rol"] == rol.rol] == [False]
    # Recrearlo con accesos crear (contraseña nueva) deja el acceso como antes.
    try:
        r = invocar(bd_vacia.url, "accesos", "crear", "--institucion", INST_A, "--rol", rol.rol,
                    "--password-stdin", input=PASSWORD_ROL + "\n")
        assert r.codigo == 0, r.texto
        url = url_como(bd_vacia.url, rol.rol)
        assert filas_como(url, 'SELECT count(*) FROM "Grupo"') == [(VISIBLES_A["Grupo"],)]
    finally:
        borrar_roles([rol.rol])


def test_restaurar_sql_por_psql_sobre_una_base_con_datos_conserva_todo_y_la_secuencia(escuelas, bd_vacia, tmp_path):
    """El camino general (volcado SQL, psql, la base destino con datos que se borran): las
    políticas, los permisos del rol de grupo, el mapa y la auditoría llegan iguales; la
    secuencia de la auditoría sigue desde donde estaba (sin chocar con los ids restaurados);
    y los roles de escuela que falten se nombran con el comando para recrearlos."""
    import json

    from fabrica import crear_rol

    rol = crear_rol(escuelas.url, INST_A, "s")
    try:
        escuelas.ejecutar('UPDATE "Calificacion" SET nota = nota')  # más filas de auditoría
        politicas, permisos = _politicas(escuelas), _permisos(escuelas)
        ultimo = escuelas.valor('SELECT max(id) FROM "_amauta_auditoria"')
        antes = escuelas.instantanea()
        r = invocar(escuelas.url, "db", "backup", "--salida", str(tmp_path) + "/", "--formato", "sql")
        assert r.codigo == 0, r.texto
        archivo = str(next(p for p in tmp_path.iterdir() if not p.name.endswith(".json")))
    finally:
        borrar_roles([rol.rol])
    assert invocar(bd_vacia.url, "db", "migrate").codigo == 0
    assert invocar(bd_vacia.url, "seed").codigo == 0  # datos que la restauración reemplaza
    r = invocar(bd_vacia.url, "db", "restore", archivo, "--si", "--limpiar", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert f"{rol.rol} ({INST_A})" in r.stderr
    assert f'amauta accesos crear --institucion "{INST_A}" --rol {rol.rol}' in r.stderr
    assert bd_vacia.instantanea() == antes
    assert _politicas(bd_vacia) == politicas and _permisos(bd_vacia) == permisos
    assert invocar(bd_vacia.url, "db", "verificar").codigo == 0
    bd_vacia.ejecutar('UPDATE "Calificacion" SET nota = nota')
    nuevos = bd_vacia.filas('SELECT id FROM "_amauta_auditoria" WHERE id > :u', u=ultimo)
    assert len(nuevos) == bd_vacia.contar("Calificacion")
    listado = json.loads(invocar(bd_vacia.url, "accesos", "listar", "--formato", "json").stdout)
    assert [(f["rol"], f["existe"]) for f in listado] == [(rol.rol, False)]
