"""Seguridad por filas (migración 0005) con conexiones reales como el rol de cada escuela.

Por SQL a secas (psycopg, como lo haría psql o un conector de planillas): cada escuela ve
exactamente lo suyo, no puede escribir lo ajeno (tampoco cambiando ``grupoId`` o
``institucionId``), no puede leer ni cambiar el mapa rol → institución ni escaparse con
``SET``/``SET ROLE``/``RESET``; el dueño y cualquier otro rol ven todo como antes.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from conftest import PG_ADMIN_URL, REQUIERE_PG, BaseDePrueba, pg_disponible
from fabrica import (
    ALICIA,
    ANA_PEREZ,
    BAUTISTA,
    CIRO,
    ELI,
    GRUPO_1A,
    INST_A,
    INST_B,
    LIBRE,
    VISIBLES_A,
    VISIBLES_B,
    borrar_roles,
    ejecutar_como,
    filas_como,
)

TABLAS = list(VISIBLES_A)


@pytest.fixture(params=["postgresql"])
def motor(request) -> str:
    """La seguridad por filas es solo de PostgreSQL: reemplaza la parametrización de conftest."""
    if not pg_disponible():
        if REQUIERE_PG:
            pytest.fail(f"PostgreSQL no responde en {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL no disponible")
    return request.param


def _ids(bd: BaseDePrueba, sql: str, **p) -> set:
    return {f[0] for f in bd.filas(sql, **p)}


def _grupo_de(bd: BaseDePrueba, inst: str) -> str:
    return bd.valor(
        'SELECT g.id FROM "Grupo" g JOIN "Institucion" i ON i.id = g."institucionId" '
        "WHERE g.nombre = :g AND i.nombre = :i",
        g=GRUPO_1A,
        i=inst,
    )


def _usuario(bd: BaseDePrueba, email: str) -> str:
    return bd.valor('SELECT id FROM "Usuario" WHERE email = :e', e=email)


def _inst(bd: BaseDePrueba, nombre: str) -> str:
    return bd.valor('SELECT id FROM "Institucion" WHERE nombre = :n', n=nombre)


def _denegado(url: str, *sentencias: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        ejecutar_como(url, *sentencias)
    return str(e.value)


# --- Lecturas ----------------------------------------------------------------------------------
@pytest.mark.rapida
def test_cada_escuela_ve_exactamente_sus_filas(escuelas, roles_escuela):
    a, b = roles_escuela
    for rol, esperado in ((a, VISIBLES_A), (b, VISIBLES_B)):
        vistos = {t: filas_como(rol.url, f'SELECT count(*) FROM "{t}"')[0][0] for t in TABLAS}
        assert vistos == esperado, rol.institucion


def test_ninguna_fila_de_la_otra_escuela(escuelas, roles_escuela):
    a, b = roles_escuela
    inst_b = _inst(escuelas, INST_B)
    grupos_b = _ids(escuelas, 'SELECT id FROM "Grupo" WHERE "institucionId" = :i', i=inst_b)
    personas_b = {_usuario(escuelas, e) for e in (BAUTISTA, CIRO, "dora@mail.com")}
    assert {f[0] for f in filas_como(a.url, 'SELECT id FROM "Institucion"')} == {_inst(escuelas, INST_A)}
    assert not {f[0] for f in filas_como(a.url, 'SELECT id FROM "Grupo"')} & grupos_b
    for tabla in ("Asistencia", "Calificacion", "GrupoEstudiante"):
        assert not {f[0] for f in filas_como(a.url, f'SELECT "grupoId" FROM "{tabla}"')} & grupos_b
    assert not {f[0] for f in filas_como(a.url, 'SELECT id FROM "Usuario"')} & personas_b
    assert not {f[0] for f in filas_como(a.url, 'SELECT "usuarioId" FROM "Perfil"')} & personas_b
    assert filas_como(a.url, 'SELECT count(*) FROM "Comunicado" WHERE "institucionId" = %(i)s', i=inst_b) == [(0,)]
    # Buscar por id lo ajeno da vacío, como si no existiera.
    assert filas_como(a.url, 'SELECT * FROM "Grupo" WHERE id = %(g)s', g=_grupo_de(escuelas, INST_B)) == []
    # Ni el estudiante sin escuela ni el administrador son visibles.
    emails = {f[0] for f in filas_como(a.url, 'SELECT email FROM "Usuario"')}
    assert LIBRE not in emails and "admin@amauta.org" not in emails
    assert ELI in emails, "los exalumnos siguen siendo de la escuela (sus notas quedan)"


def test_el_dueno_y_otros_roles_ven_todo_como_antes(escuelas, roles_escuela):
    totales = {t: escuelas.contar(t) for t in TABLAS}
    assert totales["Grupo"] == 3 and totales["Usuario"] == 10
    # Un rol cualquiera, ajeno a amauta_escuela (p. ej. el de la aplicación web), con permisos
    # de lectura y escritura: ve y cambia todo, como si no hubiera políticas.
    otro = f"amauta_t_{uuid.uuid4().hex[:8]}_web"
    nombre_bd = escuelas.url.rsplit("/", 1)[1]
    try:
        escuelas.ejecutar(f'CREATE ROLE "{otro}" LOGIN')
        escuelas.ejecutar(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{otro}"')
        from fabrica import url_como

        url = url_como(escuelas.url, otro)
        assert {t: filas_como(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in TABLAS} == totales
        ejecutar_como(url, 'UPDATE "Grupo" SET activo = activo', 'UPDATE "Asistencia" SET observaciones = \'web\'')
        assert escuelas.valor("SELECT count(*) FROM \"Asistencia\" WHERE observaciones = 'web'") == totales["Asistencia"]
    finally:
        escuelas.ejecutar(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{otro}"')
        borrar_roles([otro])
    assert nombre_bd


# --- Escrituras ------------------------------------------------------------------------------------
def test_no_puede_escribir_filas_de_otra_escuela(escuelas, roles_escuela):
    a, _ = roles_escuela
    antes = escuelas.instantanea()
    g_b = _grupo_de(escuelas, INST_B)
    g_a = _grupo_de(escuelas, INST_A)
    ciro, ana = _usuario(escuelas, CIRO), _usuario(escuelas, ANA_PEREZ)
    inst_b = _inst(escuelas, INST_B)
    ahora = "'2024-03-06 00:00:00'"
    # Insertar en un grupo ajeno, o con un estudiante ajeno en un grupo propio.
    for sql in (
        f'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, "updatedAt") '
        f"VALUES ('x1', '{g_b}', '{ciro}', {ahora}, 'AUSENTE', {ahora})",
        f'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, "updatedAt") '
        f"VALUES ('x2', '{g_a}', '{ciro}', {ahora}, 'AUSENTE', {ahora})",
        f'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "updatedAt") '
        f"VALUES ('x3', '{g_b}', '{ciro}', 'Lengua', 'T1', 2, {ahora})",
        f'INSERT INTO "GrupoEstudiante" ("grupoId", "estudianteId") VALUES (\'{g_a}\', \'{ciro}\')',
        f'INSERT INTO "Grupo" (id, nombre, "institucionId", "educadorId", "updatedAt") '
        f"VALUES ('x4', 'Intruso', '{inst_b}', '{_usuario(escuelas, ALICIA)}', {ahora})",
        f'INSERT INTO "Comunicado" (id, "institucionId", "autorId", titulo, contenido, tipo, "updatedAt") '
        f"VALUES ('x5', '{inst_b}', '{_usuario(escuelas, ALICIA)}', 't', 'c', 'GENERAL', {ahora})",
        # Mover lo propio a lo ajeno.
        f'UPDATE "Asistencia" SET "grupoId" = \'{g_b}\' WHERE "estudianteId" = \'{ana}\'',
        f'UPDATE "Calificacion" SET "grupoId" = \'{g_b}\'',
        f'UPDATE "Grupo" SET "institucionId" = \'{inst_b}\' WHERE id = \'{g_a}\'',
        f'UPDATE "Comunicado" SET "institucionId" = \'{inst_b}\'',
        f'UPDATE "GrupoEstudiante" SET "estudianteId" = \'{ciro}\' WHERE "estudianteId" = \'{ana}\'',
    ):
        mensaje = _denegado(a.url, sql)
        assert "row-level security" in mensaje or "permission denied" in mensaje, sql
    # Cambiar o borrar lo ajeno no toca nada: esas filas no existen para la escuela.
    ejecutar_como(
        a.url,
        f'UPDATE "Asistencia" SET estado = \'AUSENTE\' WHERE "grupoId" = \'{g_b}\'',
        f'DELETE FROM "Calificacion" WHERE "grupoId" = \'{g_b}\'',
        f'DELETE FROM "GrupoEstudiante" WHERE "grupoId" = \'{g_b}\'',
        f'UPDATE "Institucion" SET nombre = \'Tomada\' WHERE id = \'{inst_b}\'',
        f'DELETE FROM "Comunicado" WHERE "institucionId" = \'{inst_b}\'',
    )
    # Personas: solo lectura (las altas, con amauta_alta_estudiante).
    for sql in (
        f'UPDATE "Usuario" SET rol = \'SUPER_ADMIN\' WHERE id = \'{ana}\'',
        "INSERT INTO \"Usuario\" (id, email, nombre, apellido, password, \"updatedAt\") "
        f"VALUES ('x6', 'x@x.com', 'X', 'Y', 'z', {ahora})",
        f'DELETE FROM "Perfil" WHERE "usuarioId" = \'{ana}\'',
        f'DELETE FROM "Grupo" WHERE id = \'{g_a}\'',
        'TRUNCATE "Asistencia"',
    ):
        assert "permission denied" in _denegado(a.url, sql), sql
    despues = escuelas.instantanea()
    despues.pop("_amauta_auditoria")
    antes.pop("_amauta_auditoria")
    assert despues == antes


@pytest.mark.rapida
def test_escribe_lo_propio(escuelas, roles_escuela):
    a, _ = roles_escuela
    g_a, ana = _grupo_de(escuelas, INST_A), _usuario(escuelas, ANA_PEREZ)
    ejecutar_como(
        a.url,
        f'UPDATE "Asistencia" SET estado = \'TARDANZA\', observaciones = \'colectivo\' '
        f'WHERE "grupoId" = \'{g_a}\' AND "estudianteId" = \'{ana}\'',
        f'UPDATE "Calificacion" SET nota = 9 WHERE "estudianteId" = \'{ana}\'',
        f'UPDATE "Grupo" SET seccion = \'B\' WHERE id = \'{g_a}\'',
    )
    assert escuelas.valor(
        'SELECT count(*) FROM "Asistencia" WHERE "estudianteId" = :a AND estado = \'TARDANZA\'', a=ana
    ) == 2
    assert escuelas.valor('SELECT nota FROM "Calificacion" WHERE "estudianteId" = :a', a=ana) == 9


# --- El mapa y los intentos de escaparse ----------------------------------------------------------------
def test_no_lee_ni_cambia_el_mapa(escuelas, roles_escuela):
    a, b = roles_escuela
    inst_b = _inst(escuelas, INST_B)
    for sql in (
        'SELECT * FROM "_amauta_acceso"',
        f'UPDATE "_amauta_acceso" SET "institucionId" = \'{inst_b}\'',
        f"INSERT INTO \"_amauta_acceso\" (rol, \"institucionId\", \"createdAt\") VALUES ('{a.rol}', '{inst_b}', now())",
        'DELETE FROM "_amauta_acceso"',
        "SELECT amauta_conceder_permisos()",
    ):
        assert "permission denied" in _denegado(a.url, sql), sql
    # La función de las políticas responde solo por el propio rol.
    assert filas_como(a.url, f"SELECT amauta_institucion_de('{b.rol}')") == [(None,)]
    assert filas_como(a.url, "SELECT amauta_institucion_de(current_user)") == [(_inst(escuelas, INST_A),)]
    # Ni los vínculos de la otra escuela.
    assert filas_como(a.url, 'SELECT count(*) FROM "_amauta_vinculo" WHERE "institucionId" = %(i)s', i=inst_b) == [(0,)]
    assert escuelas.valor('SELECT "institucionId" FROM "_amauta_acceso" WHERE rol = :r', r=a.rol) == _inst(escuelas, INST_A)


def test_set_set_role_y_reset_no_amplian_lo_visible(escuelas, roles_escuela):
    a, b = roles_escuela
    g_b = _grupo_de(escuelas, INST_B)
    dsn = a.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as c:
        # Una variable de sesión no decide nada.
        c.execute(f"SET amauta.institucion = '{_inst(escuelas, INST_B)}'")
        c.execute(f"SET amauta.usuario_so = 'otro'")
        assert c.execute('SELECT count(*) FROM "Grupo"').fetchone() == (VISIBLES_A["Grupo"],)
        # El rol de grupo no tiene institución: con él no se ve nada.
        c.execute("SET ROLE amauta_escuela")
        assert c.execute('SELECT count(*) FROM "Grupo"').fetchone() == (0,)
        assert c.execute('SELECT count(*) FROM "Asistencia"').fetchone() == (0,)
        c.execute("RESET ROLE")
        assert c.execute('SELECT count(*) FROM "Grupo"').fetchone() == (VISIBLES_A["Grupo"],)
        # Ni el rol de la otra escuela, ni otra autorización, ni apagar la seguridad por filas.
        for sql in (
            f'SET ROLE "{b.rol}"',
            f'SET SESSION AUTHORIZATION "{b.rol}"',
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION DEFAULT; SET ROLE postgres",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
        c.execute("SET row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            c.execute('SELECT count(*) FROM "Grupo"')
        c.execute("RESET row_security")
        assert c.execute('SELECT count(*) FROM "Grupo" WHERE id = %s', (g_b,)).fetchone() == (0,)
        # No puede crear objetos que se lleven datos (funciones que se ejecuten como otro).
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("CREATE TABLE public.robo (x int)")


# --- Alta de estudiantes en la misma transacción ------------------------------------------------------
def test_alta_de_estudiante_y_uso_en_la_misma_transaccion(escuelas, roles_escuela):
    a, b = roles_escuela
    g_a = _grupo_de(escuelas, INST_A)
    h = "$2b$10$" + "y" * 53
    dsn = a.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as c:
        nuevo = c.execute(
            "SELECT amauta_alta_estudiante(grupo => %s, email => 'Nueva@Mail.com', nombre => 'Nora', "
            "apellido => 'Sosa', password_bcrypt => %s, matricula => 'M-77')",
            (g_a, h),
        ).fetchone()[0]
        c.execute(
            'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, "updatedAt") '
            "VALUES ('n1', %s, %s, '2024-03-06', 'PRESENTE', now())",
            (g_a, nuevo),
        )
        assert c.execute('SELECT email FROM "Usuario" WHERE id = %s', (nuevo,)).fetchone() == ("nueva@mail.com",)
    assert escuelas.valor('SELECT rol::text FROM "Usuario" WHERE id = :u', u=nuevo) == "ESTUDIANTE"
    assert escuelas.valor('SELECT matricula FROM "Perfil" WHERE "usuarioId" = :u', u=nuevo) == "M-77"
    assert escuelas.valor('SELECT count(*) FROM "GrupoEstudiante" WHERE "estudianteId" = :u', u=nuevo) == 1
    # La otra escuela no lo ve.
    assert filas_como(b.url, 'SELECT count(*) FROM "Usuario" WHERE id = %(u)s', u=nuevo) == [(0,)]


def test_alta_de_estudiante_rechazada_sin_dejar_nada(escuelas, roles_escuela):
    a, _ = roles_escuela
    antes = escuelas.instantanea()
    g_b = _grupo_de(escuelas, INST_B)
    g_a = _grupo_de(escuelas, INST_A)
    h = "$2b$10$" + "y" * 53
    casos = [
        ((g_b, "n@mail.com", "N", "S", h), psycopg.errors.NoDataFound, "no existe el grupo"),
        ((g_a, ANA_PEREZ, "N", "S", h), psycopg.errors.UniqueViolation, "ya existe"),
        ((g_a, "n@mail.com", "N", "S", "Secreto123!"), psycopg.errors.InvalidParameterValue, "bcrypt"),
        ((g_a, "no-es-email", "N", "S", h), psycopg.errors.InvalidParameterValue, "email"),
    ]
    for args, error, texto in casos:
        with pytest.raises(error, match=texto):
            ejecutar_como(a.url, "SELECT amauta_alta_estudiante('{}', '{}', '{}', '{}', '{}')".format(*args))
    assert escuelas.instantanea() == antes
    # Un rol ajeno a amauta_escuela no puede usarla.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nombre = f"amauta_t_{uuid.uuid4().hex[:8]}_x"
        try:
            escuelas.ejecutar(f'CREATE ROLE "{nombre}" LOGIN')
            from fabrica import url_como

            ejecutar_como(url_como(escuelas.url, nombre), f"SELECT amauta_alta_estudiante('{g_a}', 'z@mail.com', 'Z', 'Z', '{h}')")
        finally:
            borrar_roles([nombre])


# --- Auditoría ------------------------------------------------------------------------------------------
def test_la_auditoria_registra_a_la_escuela_y_la_escuela_no_la_toca(escuelas, roles_escuela):
    a, b = roles_escuela
    g_a, ana = _grupo_de(escuelas, INST_A), _usuario(escuelas, ANA_PEREZ)
    desde = escuelas.valor('SELECT max(id) FROM "_amauta_auditoria"')
    ejecutar_como(a.url, f'UPDATE "Calificacion" SET nota = 10 WHERE "estudianteId" = \'{ana}\'')
    filas = escuelas.filas(
        'SELECT rol, operacion, antes->>\'nota\', despues->>\'nota\', "usuarioSo" '
        'FROM "_amauta_auditoria" WHERE id > :d',
        d=desde,
    )
    assert filas == [(a.rol, "UPDATE", "7", "10", None)]
    # Cada escuela ve solo la auditoría de sus grupos.
    propias = escuelas.valor(
        'SELECT count(*) FROM "_amauta_auditoria" x JOIN "Grupo" g ON g.id = x."grupoId" '
        'JOIN "Institucion" i ON i.id = g."institucionId" WHERE i.nombre = :n',
        n=INST_A,
    )
    assert filas_como(a.url, 'SELECT count(*) FROM "_amauta_auditoria"') == [(propias,)]
    assert filas_como(b.url, 'SELECT count(*) FROM "_amauta_auditoria" WHERE "grupoId" = %(g)s', g=g_a) == [(0,)]
    antes = escuelas.filas('SELECT * FROM "_amauta_auditoria" ORDER BY id')
    for sql in (
        'UPDATE "_amauta_auditoria" SET rol = \'otro\'',
        'DELETE FROM "_amauta_auditoria"',
        'TRUNCATE "_amauta_auditoria"',
        "INSERT INTO \"_amauta_auditoria\" (id, momento, operacion, tabla, \"registroId\") VALUES (0, now(), 'X', 'Y', 'Z')",
        'ALTER TABLE "Calificacion" DISABLE TRIGGER ALL',
        'DROP TRIGGER "amauta_auditar_update" ON "Calificacion"',
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ejecutar_como(a.url, sql)
    assert escuelas.filas('SELECT * FROM "_amauta_auditoria" ORDER BY id') == antes


def test_db_verificar_vigila_la_seguridad_por_escuelas(escuelas):
    from conftest import invocar

    r = invocar(escuelas.url, "db", "verificar")
    assert r.codigo == 0, r.texto
    escuelas.ejecutar('ALTER TABLE "Calificacion" DISABLE ROW LEVEL SECURITY')
    escuelas.ejecutar('DROP POLICY amauta_escuela ON "Grupo"')
    escuelas.ejecutar('ALTER TABLE "Asistencia" DISABLE TRIGGER amauta_auditar_update')
    escuelas.ejecutar("ALTER FUNCTION amauta_institucion_de(name) RESET search_path")
    r = invocar(escuelas.url, "db", "verificar")
    assert r.codigo == 1
    for texto in (
        'la seguridad por filas está apagada en "Calificacion"',
        'falta la política "amauta_escuela" en "Grupo"',
        'disparador de auditoría "amauta_auditar_update" en "Asistencia"',
        "amauta_institucion_de(name) debe ser SECURITY DEFINER con search_path fijo",
    ):
        assert texto in r.stderr, r.stderr


def test_db_verificar_vigila_permisos_politicas_y_secuencia_de_la_auditoria(escuelas):
    """Un permiso de menos (la escuela no podría trabajar), uno de más (vería o borraría lo que
    no debe), una política que deja pasar todo o la secuencia de la auditoría: cada uno es deriva,
    y amauta_conceder_permisos() devuelve los permisos como estaban."""
    from conftest import invocar

    escuelas.ejecutar('REVOKE UPDATE ON "Calificacion" FROM amauta_escuela')
    escuelas.ejecutar('GRANT TRUNCATE ON "_amauta_auditoria" TO amauta_escuela')
    escuelas.ejecutar('GRANT SELECT ON "_amauta_acceso" TO amauta_escuela')
    escuelas.ejecutar("GRANT EXECUTE ON FUNCTION amauta_auditar() TO PUBLIC")
    escuelas.ejecutar('DROP POLICY amauta_escuela ON "Asistencia"')
    escuelas.ejecutar('CREATE POLICY amauta_escuela ON "Asistencia" AS PERMISSIVE FOR ALL TO amauta_escuela USING (true)')
    r = invocar(escuelas.url, "db", "verificar")
    assert r.codigo == 1
    for texto in (
        "falta el permiso UPDATE del rol 'amauta_escuela' sobre \"Calificacion\"",
        "SELECT amauta_conceder_permisos();",
        "sobra el permiso TRUNCATE del rol 'amauta_escuela' sobre \"_amauta_auditoria\"",
        "sobra el permiso SELECT del rol 'amauta_escuela' sobre \"_amauta_acceso\"",
        "la función amauta_auditar() la puede ejecutar cualquier rol (PUBLIC)",
        "la política \"amauta_escuela\" en \"Asistencia\" debe ser RESTRICTIVE para 'amauta_escuela'",
    ):
        assert texto in r.stderr, r.stderr
    assert "5 diferencias" in r.stderr, r.stderr
    escuelas.ejecutar('DROP POLICY amauta_escuela ON "Asistencia"')
    escuelas.ejecutar('REVOKE ALL ON "_amauta_auditoria", "_amauta_acceso" FROM amauta_escuela')
    escuelas.ejecutar("SELECT amauta_conceder_permisos()")
    r = invocar(escuelas.url, "db", "verificar")
    assert r.codigo == 1 and "1 diferencia)" in r.stderr and 'falta la política "amauta_escuela" en "Asistencia"' in r.stderr, r.stderr
    escuelas.ejecutar('ALTER SEQUENCE "_amauta_auditoria_id_seq" OWNED BY NONE')
    r = invocar(escuelas.url, "db", "verificar")
    assert 'la secuencia "_amauta_auditoria_id_seq" debe pertenecer a "_amauta_auditoria"."id"' in r.stderr, r.stderr


def test_la_migracion_0005_se_revierte_y_se_vuelve_a_aplicar(escuelas, roles_escuela):
    from conftest import invocar

    a, b = roles_escuela
    antes = escuelas.instantanea()
    r = invocar(escuelas.url, "db", "rollback", "--revision", "0004", "--si", "--sin-respaldo")
    assert r.codigo == 1 and "Revóquelos primero" in r.stderr and a.rol in r.stderr
    assert escuelas.instantanea() == antes
    for rol in (a, b):
        assert invocar(escuelas.url, "accesos", "revocar", rol.rol, "--si").codigo == 0
    r = invocar(escuelas.url, "db", "rollback", "--revision", "0004", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    assert escuelas.valor("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'") == 0
    assert escuelas.valor("SELECT count(*) FROM pg_class WHERE relrowsecurity") == 0
    assert escuelas.valor("SELECT count(*) FROM pg_proc WHERE proname LIKE 'amauta\\_%' AND proname <> 'amauta_sin_acentos' "
                          "AND proname NOT LIKE 'amauta\\_busqueda%' AND proname NOT LIKE 'amauta\\_documento%'") == 0
    assert escuelas.valor(
        "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'amauta_escuela' "
        "AND table_catalog = current_database()"
    ) == 0
    tablas = {t for (t,) in escuelas.filas("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert not tablas & {"_amauta_acceso", "_amauta_vinculo", "_amauta_auditoria"}
    assert invocar(escuelas.url, "db", "verificar").codigo == 1  # pendiente la 0005
    r = invocar(escuelas.url, "db", "migrate")
    assert r.codigo == 0, r.texto
    assert invocar(escuelas.url, "db", "verificar").codigo == 0
    # Los vínculos se reconstruyen con lo que hay (exalumnos incluidos, por sus notas).
    assert escuelas.valor('SELECT count(*) FROM "_amauta_vinculo"') == VISIBLES_A["Usuario"] + VISIBLES_B["Usuario"]
