"""``amauta accesos`` y amauta usado con las credenciales de una escuela (PostgreSQL, con
conexiones reales como el rol de cada escuela; los roles se borran al terminar)."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from conftest import PG_ADMIN_URL, REQUIERE_PG, invocar, pg_disponible
from fabrica import (
    ANA_PEREZ,
    BAUTISTA,
    CIRO,
    GRUPO_1A,
    GRUPO_2A,
    INST_A,
    INST_B,
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


@pytest.fixture
def nombres(escuelas):
    """Nombres de rol únicos para la prueba; los que se hayan creado se borran al final."""
    hechos: list[str] = []

    def nuevo(sufijo: str = "x") -> str:
        n = f"amauta_t_{uuid.uuid4().hex[:8]}_{sufijo}"
        hechos.append(n)
        return n

    try:
        yield nuevo
    finally:
        borrar_roles(hechos)


def _json(r):
    assert r.codigo == 0, r.texto
    return json.loads(r.stdout)


# --- accesos crear / listar / probar / revocar ---------------------------------------------------
def test_crear_listar_probar_y_revocar(escuelas, nombres):
    rol = nombres("dir")
    r = invocar(escuelas.url, "accesos", "crear", "--institucion", "Escuela Nº 1", "--rol", rol,
                "--password-stdin", input=PASSWORD_ROL + "\n")
    assert r.codigo == 0, r.texto
    assert f"el rol {rol} ve y cambia solo '{INST_A}'" in r.stderr
    assert PASSWORD_ROL not in r.texto
    # La contraseña quedó como verificador SCRAM, nunca en claro.
    guardada = escuelas.valor("SELECT rolpassword FROM pg_authid WHERE rolname = :r", r=rol)
    assert guardada.startswith("SCRAM-SHA-256$4096:") and PASSWORD_ROL not in guardada
    assert escuelas.valor(
        "SELECT pg_has_role(:r, 'amauta_escuela', 'MEMBER') AND rolcanlogin AND NOT rolcreaterole "
        "FROM pg_roles WHERE rolname = :r", r=rol
    )
    filas = _json(invocar(escuelas.url, "accesos", "listar", "--formato", "json"))
    mio = [f for f in filas if f["rol"] == rol]
    assert len(mio) == 1 and mio[0]["institucion"] == INST_A and mio[0]["existe"] is True
    assert mio[0]["creado"] and mio[0]["password_cambiada"] and mio[0]["creado_por"] == "postgres"
    p = _json(invocar(escuelas.url, "accesos", "probar", rol, "--formato", "json"))
    assert {f["tabla"]: f["visibles"] for f in p if f["tabla"] in VISIBLES_A} == VISIBLES_A
    assert all(f["total"] >= f["visibles"] for f in p)
    # probar no dejó rastros: ni membresía nueva ni cambios.
    assert escuelas.valor(
        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = :r", r=rol
    ) == 0
    r = invocar(escuelas.url, "accesos", "revocar", rol, "--si")
    assert r.codigo == 0, r.texto
    assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=rol) == 0
    assert escuelas.valor('SELECT count(*) FROM "_amauta_acceso" WHERE rol = :r', r=rol) == 0


def test_crear_con_entrada_invalida_no_cambia_nada(escuelas, nombres):
    rol = nombres()
    antes = escuelas.instantanea()
    casos = [
        (["--institucion", "No existe", "--rol", rol], PASSWORD_ROL, "No existe la institución"),
        (["--institucion", INST_A, "--rol", "Mal-Nombre"], PASSWORD_ROL, "no sirve como nombre de rol"),
        (["--institucion", INST_A, "--rol", "pg_x"], PASSWORD_ROL, "no sirve como nombre de rol"),
        (["--institucion", INST_A, "--rol", "postgres"], PASSWORD_ROL, "Ya existe un rol 'postgres'"),
        (["--institucion", INST_A, "--rol", rol], "corta", "al menos 8"),
        (["--institucion", INST_A, "--rol", rol], "", "no llegó ninguna contraseña"),
    ]
    for args, pw, mensaje in casos:
        r = invocar(escuelas.url, "accesos", "crear", *args, "--password-stdin", input=pw + "\n")
        assert r.codigo == 1, (args, r.texto)
        assert mensaje in r.stderr, (args, r.stderr)
    assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=rol) == 0
    assert escuelas.instantanea() == antes
    # La contraseña nunca por argv: no hay opción para eso.
    r = invocar(escuelas.url, "accesos", "crear", "--institucion", INST_A, "--rol", rol, "--password", "x")
    assert r.codigo == 2


def test_rechazado_si_el_rol_conectado_no_puede_crear_roles(escuelas, nombres):
    sin = nombres("sincr")
    escuelas.ejecutar(f'CREATE ROLE "{sin}" LOGIN')
    escuelas.ejecutar(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{sin}"')
    try:
        url = url_como(escuelas.url, sin)
        nuevo = nombres()
        r = invocar(url, "accesos", "crear", "--institucion", INST_A, "--rol", nuevo, "--password-stdin",
                    input=PASSWORD_ROL + "\n")
        assert r.codigo == 1
        assert f"'{sin}' no puede (le falta el atributo CREATEROLE)" in r.stderr
        assert "No se hizo nada" in r.stderr
        assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=nuevo) == 0
    finally:
        escuelas.ejecutar(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{sin}"')


def test_revocar_y_probar_un_rol_desconocido(escuelas):
    for args in (["revocar", "no_existe_este", "--si"], ["probar", "no_existe_este"]):
        r = invocar(escuelas.url, "accesos", *args)
        assert r.codigo == 1 and "No hay un acceso de escuela con el rol 'no_existe_este'" in r.stderr


def test_sesion_del_rol_revocado_deja_de_ver(escuelas, roles_escuela):
    a, _ = roles_escuela
    dsn = a.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as c:
        assert c.execute('SELECT count(*) FROM "Grupo"').fetchone() == (2,)
        r = invocar(escuelas.url, "accesos", "revocar", a.rol, "--si")
        assert r.codigo == 0, r.texto
        # La sesión que seguía abierta ya no ve nada (el mapa ya no la nombra).
        with pytest.raises(psycopg.Error):
            c.execute('SELECT count(*) FROM "Grupo"').fetchone()


# --- amauta con las credenciales de una escuela ----------------------------------------------------
def test_amauta_con_credenciales_de_escuela_ve_y_cambia_solo_lo_suyo(escuelas, roles_escuela):
    a, b = roles_escuela
    grupos = _json(invocar(a.url, "grupos", "listar", "--formato", "json"))
    assert sorted(g["nombre"] for g in grupos) == [GRUPO_1A, GRUPO_2A]
    assert {g["institucion"] for g in grupos} == {INST_A}
    # Sin --institucion, aunque "1ro A" exista también en la otra escuela.
    r = invocar(a.url, "calificaciones", "registrar", "--grupo", GRUPO_1A, "--estudiante", ANA_PEREZ,
                "--materia", "Matemática", "--periodo", "1er Trimestre", "--nota", "3")
    assert r.codigo == 0, r.texto
    r = invocar(a.url, "asistencia", "registrar", "--grupo", GRUPO_1A, "--fecha", "2024-03-06", "--todos", "presente")
    assert r.codigo == 0, r.texto
    assert escuelas.valor(
        'SELECT count(*) FROM "Asistencia" a JOIN "Grupo" g ON g.id = a."grupoId" '
        "JOIN \"Institucion\" i ON i.id = g.\"institucionId\" WHERE a.fecha = '2024-03-06'"
    ) == 2
    ver = _json(invocar(a.url, "asistencia", "ver", "--grupo", GRUPO_1A, "--fecha", "2024-03-04", "--formato", "json"))
    assert ANA_PEREZ in json.dumps(ver) and CIRO not in json.dumps(ver)
    pend = invocar(a.url, "asistencia", "pendientes", "--fecha", "2024-03-06", "--formato", "json")
    # Código 3: hay pendientes (de su escuela), y ninguno de la otra.
    assert pend.codigo == 3 and INST_B not in pend.stdout
    for args in (["asistencia", "alertas", "--desde", "2024-03-01"], ["calificaciones", "desaprobados"]):
        r = invocar(a.url, *args, "--formato", "json")
        assert r.codigo == 0, r.texto
        assert INST_B not in r.stdout and CIRO not in r.stdout
    des = invocar(a.url, "calificaciones", "desaprobados", "--formato", "json")
    assert ANA_PEREZ in des.stdout
    # Los reportes del distrito, con credenciales de escuela, son los de su institución: lo
    # mismo que el dueño con --institucion (y la misma consulta, con el filtro explícito).
    for args in (["asistencia", "alertas", "--desde", "2024-03-01"], ["calificaciones", "desaprobados"]):
        como_escuela = invocar(a.url, *args, "--formato", "json").stdout
        como_duenio = invocar(escuelas.url, *args, "--institucion", INST_A, "--formato", "json").stdout
        assert como_escuela == como_duenio, args
    r = invocar(a.url, "calificaciones", "desaprobados")
    assert f"Desaprobados: grupos activos de '{INST_A}'" in r.stdout, r.stdout
    # db estado dice a qué institución se limita.
    e = _json(invocar(a.url, "db", "estado", "--formato", "json"))
    assert e["limitada_a"] == {"rol": a.rol, "institucion": INST_A, "institucion_id": e["limitada_a"]["institucion_id"]}
    assert "Curso" not in e["tablas"] and e["tablas"]["Grupo"] == 2
    r = invocar(a.url, "db", "estado")
    assert f"{INST_A} (rol de escuela {a.rol})" in r.stdout
    assert _json(invocar(escuelas.url, "db", "estado", "--formato", "json"))["limitada_a"] is None
    # Crear un grupo sin --institucion: el de la escuela.
    r = invocar(a.url, "grupos", "crear", "--nombre", "3ro A", "--educador", "alicia@escuela1.edu.ar")
    assert r.codigo == 0, r.texto
    assert escuelas.valor(
        'SELECT i.nombre FROM "Grupo" g JOIN "Institucion" i ON i.id = g."institucionId" WHERE g.nombre = \'3ro A\''
    ) == INST_A
    # Para la otra escuela, nada de esto existe.
    assert "3ro A" not in invocar(b.url, "grupos", "listar").stdout


@pytest.mark.rapida
def test_lo_de_otra_escuela_no_existe(escuelas, roles_escuela):
    a, _ = roles_escuela
    antes = escuelas.instantanea()
    g_b = escuelas.valor(
        'SELECT g.id FROM "Grupo" g JOIN "Institucion" i ON i.id = g."institucionId" WHERE i.nombre = :n', n=INST_B
    )
    casos = [
        (["asistencia", "ver", "--grupo", g_b, "--fecha", "2024-03-04"], f"No existe el grupo '{g_b}'"),
        (["asistencia", "registrar", "--grupo", g_b, "--fecha", "2024-03-06", "--todos", "ausente"], "No existe el grupo"),
        (["calificaciones", "registrar", "--grupo", GRUPO_1A, "--estudiante", CIRO, "--materia", "M",
          "--periodo", "T1", "--nota", "1"], f"No existe un usuario con el email '{CIRO}'"),
        (["grupos", "ver", g_b], "No existe el grupo"),
        (["grupos", "crear", "--nombre", "Intruso", "--educador", BAUTISTA], "No existe un usuario"),
        (["grupos", "crear", "--nombre", "Intruso", "--educador", "alicia@escuela1.edu.ar",
          "--institucion", INST_B], "No existe la institución"),
        (["instituciones", "ver", INST_B], "No existe la institución"),
    ]
    for args, mensaje in casos:
        r = invocar(a.url, *args)
        assert r.codigo == 1, (args, r.texto)
        assert mensaje in r.stderr, (args, r.stderr)
        if INST_B not in args:
            assert INST_B not in r.stderr, "sin pistas de que existe"
    despues = escuelas.instantanea()
    assert despues == antes


def test_los_comandos_de_toda_la_base_se_rechazan_antes_de_hacer_nada(escuelas, roles_escuela, tmp_path):
    a, _ = roles_escuela
    respaldo = tmp_path / "r.dump"
    respaldo.write_bytes(b"no importa: se rechaza antes de leerlo")
    antes = escuelas.instantanea()
    for args in (
        ["db", "migrate"],
        ["db", "migrate", "--sql"],
        ["db", "rollback", "--si"],
        ["db", "restore", str(respaldo), "--si"],
        ["db", "entorno", "produccion"],
        ["db", "entorno"],
        ["seed"],
        ["seed", "--reset", "--si"],
        ["accesos", "listar"],
        ["accesos", "probar", a.rol],
        ["accesos", "revocar", a.rol, "--si"],
        ["accesos", "crear", "--institucion", INST_A, "--rol", "otro_rol_x"],
        # Los que leen o comparan toda la base: con credenciales de escuela no podrían (y un
        # respaldo a medias, o un "permission denied for table Curso", no dicen por qué).
        ["db", "backup", "--salida", str(tmp_path / "respaldos") + "/"],
        ["db", "verificar-backup", str(respaldo)],
        ["db", "verificar"],
        ["db", "prisma", "--salida", str(tmp_path / "prisma")],
    ):
        r = invocar(a.url, *args, input=PASSWORD_ROL + "\n")
        assert r.codigo == 1, (args, r.texto)
        assert "necesita las credenciales de administración de la plataforma" in r.stderr, (args, r.stderr)
        assert f"rol '{a.rol}'" in r.stderr and "No se hizo nada" in r.stderr
    assert escuelas.instantanea() == antes
    assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = 'otro_rol_x'") == 0
    assert not (tmp_path / "respaldos").exists() and not (tmp_path / "prisma").exists()


def test_auditoria_con_credenciales_de_escuela(escuelas, roles_escuela):
    a, b = roles_escuela
    r = invocar(a.url, "calificaciones", "registrar", "--grupo", GRUPO_1A, "--estudiante", ANA_PEREZ,
                "--materia", "Matemática", "--periodo", "1er Trimestre", "--nota", "9,5")
    assert r.codigo == 0, r.texto
    filas = _json(invocar(a.url, "auditoria", "--estudiante", ANA_PEREZ, "--tabla", "calificaciones", "--formato", "json"))
    assert filas[0]["accion"] == "cambio" and filas[0]["rol"] == a.rol
    assert filas[0]["cambios"] == "nota: 7 → 9,5"
    assert filas[0]["antes"]["nota"] == 7 and filas[0]["despues"]["nota"] == 9.5
    assert filas[0]["usuario_so"] and filas[0]["cliente"] == "amauta"
    # La escuela B no ve la auditoría de A; A no ve la de B.
    assert _json(invocar(b.url, "auditoria", "--rol", a.rol, "--formato", "json")) == []
    todas_a = _json(invocar(a.url, "auditoria", "--formato", "json"))
    assert {f["institucion"] for f in todas_a} == {INST_A}
    # --rol, y el administrador lo ve todo.
    admin = _json(invocar(escuelas.url, "auditoria", "--rol", a.rol, "--formato", "json"))
    assert len(admin) == 1


def test_accesos_en_sqlite_dice_que_es_solo_postgresql(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert invocar(url, "db", "migrate").codigo == 0
    for args in (["accesos", "listar"], ["accesos", "probar", "x"], ["accesos", "revocar", "x", "--si"]):
        r = invocar(url, *args)
        assert r.codigo == 1
        assert "seguridad por filas de PostgreSQL, que SQLite no tiene" in r.stderr, r.stderr
        assert "La auditoría sí funciona en SQLite: `amauta auditoria`" in r.stderr, r.stderr
    r = invocar(url, "accesos", "crear", "--institucion", "X", "--rol", "abc", "--password-stdin", input="x\n")
    assert r.codigo == 1 and "SQLite no tiene" in r.stderr
    e = _json(invocar(url, "db", "estado", "--formato", "json"))
    assert e["limitada_a"] is None
    r = invocar(url, "db", "estado")
    assert "sin límite: SQLite no tiene seguridad por filas" in r.stdout, r.stdout
    # La auditoría sí: registra lo que escribe amauta, con una nota que explica el motor.
    assert invocar(url, "seed").codigo == 0
    r = invocar(url, "auditoria", "--tabla", "calificaciones", "-n", "1")
    assert r.codigo == 0, r.texto
    assert "alta" in r.stdout and "SQLite no tiene roles ni seguridad por filas" in r.stdout
    assert "Se muestra el registro más reciente de" in r.stdout
    filas = _json(invocar(url, "auditoria", "-n", "1", "--formato", "json"))
    assert filas[0]["rol"] is None and filas[0]["cliente"] == "amauta" and filas[0]["usuario_so"]


def test_importar_y_exportar_con_credenciales_de_escuela(escuelas, roles_escuela, tmp_path):
    a, _ = roles_escuela
    g_b = escuelas.valor(
        'SELECT g.id FROM "Grupo" g JOIN "Institucion" i ON i.id = g."institucionId" WHERE i.nombre = :n', n=INST_B
    )
    bueno = tmp_path / "bueno.csv"
    bueno.write_text(f"grupo,email,fecha,estado\n{GRUPO_1A},{ANA_PEREZ},2024-03-07,ausente\n{GRUPO_1A},beto@mail.com,2024-03-07,presente\n")
    r = invocar(a.url, "asistencia", "importar", str(bueno))
    assert r.codigo == 0, r.texto
    assert escuelas.valor("SELECT count(*) FROM \"Asistencia\" WHERE fecha = '2024-03-07'") == 2
    antes = escuelas.instantanea()
    malo = tmp_path / "malo.csv"
    malo.write_text(
        f"grupo,email,fecha,estado\n{GRUPO_1A},{ANA_PEREZ},2024-03-08,ausente\n{g_b},{CIRO},2024-03-08,ausente\n"
        f"{GRUPO_1A},{CIRO},2024-03-08,ausente\n"
    )
    r = invocar(a.url, "asistencia", "importar", str(malo))
    assert r.codigo == 1
    assert f"no existe el grupo '{g_b}'" in r.stderr and f"no existe un usuario con el email '{CIRO}'" in r.stderr
    assert escuelas.instantanea() == antes
    r = invocar(a.url, "asistencia", "exportar")
    assert r.codigo == 0, r.texto
    lineas = r.stdout.strip().splitlines()[1:]
    assert len(lineas) == VISIBLES_A["Asistencia"] + 2 and CIRO not in r.stdout


@pytest.mark.rapida
def test_crear_pide_la_contrasena_oculta_dos_veces(escuelas, nombres):
    rol = nombres("prompt")
    r = invocar(escuelas.url, "accesos", "crear", "--institucion", INST_A, "--rol", rol,
                input=f"{PASSWORD_ROL}\n{PASSWORD_ROL}\n")
    assert r.codigo == 0, r.texto
    assert "Contraseña nueva" in r.stderr and "Repita la contraseña" in r.stderr
    assert PASSWORD_ROL not in r.texto
    otro = nombres("prompt2")
    r = invocar(escuelas.url, "accesos", "crear", "--institucion", INST_A, "--rol", otro,
                input="Una-clave-larga-1\nOtra-clave-larga-2\n" * 3)
    assert r.codigo == 1 and "no coinciden" in r.stderr
    assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=otro) == 0


def test_crear_sin_terminal_ni_password_stdin_lo_dice_en_espanol(escuelas, nombres):
    """Un script (cron) sin terminal y sin --password-stdin: ni el aviso en inglés de getpass
    ni una contraseña leída con eco; un error que dice qué usar, y ningún rol creado."""
    import subprocess
    import sys
    from pathlib import Path

    rol = nombres("sintty")
    amauta = Path(sys.executable).parent / "amauta"
    p = subprocess.run(
        [str(amauta), "--db-url", escuelas.url, "accesos", "crear", "--institucion", INST_A, "--rol", rol],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, start_new_session=True, timeout=60,
    )
    assert p.returncode == 1, p.stderr
    assert "No hay una terminal donde pedir la contraseña oculta" in p.stderr and "--password-stdin" in p.stderr
    assert "--generar-password" not in p.stderr  # accesos crear no la tiene
    assert "Warning" not in p.stderr and "Traceback" not in p.stderr
    assert escuelas.valor("SELECT count(*) FROM pg_roles WHERE rolname = :r", r=rol) == 0


def test_lo_que_no_es_de_una_escuela_se_rechaza_en_espanol(escuelas, roles_escuela):
    """Cursos, categorías...: la escuela no tiene permiso; el mensaje nombra la tabla y quién lo
    hace, sin el texto del servidor en inglés."""
    a, _ = roles_escuela
    for args, tabla in ((["cursos", "listar"], "Curso"), (["categorias", "listar"], "Categoria")):
        r = invocar(a.url, *args)
        assert r.codigo == 1, r.texto
        assert f"no tienen permiso sobre la tabla '{tabla}'" in r.stderr, r.stderr
        assert "quien administra la base del distrito" in r.stderr
        assert "permission denied" not in r.stderr and "Traceback" not in r.texto
    r = invocar(a.url, "usuarios", "crear", "--email", "nueva@mail.com", "--nombre", "Nueva", "--apellido",
                "Alumna", "--rol", "ESTUDIANTE", "--generar-password")
    assert r.codigo == 1 and "no tienen permiso sobre la tabla 'Usuario'" in r.stderr, r.texto
    assert "amauta_alta_estudiante" in r.stderr


# --- Un rol que no es el dueño de las tablas (el de la aplicación web, p. ej.) --------------------
@pytest.mark.parametrize("con_password", [False, True])
def test_un_rol_que_no_es_el_dueno_importa_usuarios(escuelas, nombres, tmp_path, con_password):
    """Con RLS activa para el rol (no es el dueño ni tiene BYPASSRLS), PostgreSQL rechaza
    ``COPY FROM`` a la tabla: amauta importa igual, por una tabla temporal e ``INSERT ... SELECT``,
    con contraseñas (``aplicar_importacion``) y sin ellas (``importar_nuevos``)."""
    rol = nombres("web")
    escuelas.ejecutar(f"CREATE ROLE \"{rol}\" LOGIN PASSWORD '{PASSWORD_ROL}'")
    try:
        escuelas.ejecutar(f'GRANT USAGE ON SCHEMA public TO "{rol}"')
        escuelas.ejecutar(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{rol}"')
        escuelas.ejecutar(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{rol}"')
        _importar_como(escuelas, rol, tmp_path, con_password)
    finally:  # sus permisos, antes de que ``nombres`` borre el rol
        escuelas.ejecutar(f'DROP OWNED BY "{rol}"')


def _importar_como(escuelas, rol: str, tmp_path, con_password: bool) -> None:
    assert filas_como(url_como(escuelas.url_directa, rol), "SELECT row_security_active('\"Usuario\"')") == [(True,)]
    filas = [["email", "nombre", "apellido", "rol"] + (["password"] if con_password else [])]
    filas += [[f"web{i}@mail.com", "Web", f"Alta {i}", "ESTUDIANTE"] + (["Clave-Segura-9"] if con_password else [])
              for i in range(3)]
    ruta = tmp_path / "alta.csv"
    ruta.write_text("\n".join(",".join(f) for f in filas) + "\n", encoding="utf-8")
    r = invocar(url_como(escuelas.url_directa, rol), "usuarios", "importar", str(ruta))
    assert r.codigo == 0, r.texto
    assert "3 creados" in r.stderr
    assert escuelas.filas(
        'SELECT count(*) FROM "Usuario" u JOIN "Perfil" p ON p."usuarioId" = u.id WHERE u.email LIKE :p', p="web%"
    ) == [(3,)]
