"""``amauta asistencia registrar``, ``ver`` y ``pendientes`` contra bases reales (SQLite y PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabrica import (
    ANA,
    ACTIVOS_4A,
    BRUNO,
    ESCUELA,
    GRUPO,
    INACTIVO,
    LIBRE,
    LUCAS,
    LUNES,
    MARIA,
    MATEO,
    OTRO_GRUPO,
    PEDRO,
    SABADO,
    SOFIA,
    VALENTINA,
    agregar_grupo,
    escribir_csv,
)

F = LUNES.isoformat()


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def registros(bd, grupo: str = GRUPO) -> dict[str, tuple]:
    """email → (estado, observaciones, fecha 'AAAA-MM-DD HH:MM:SS') de los registros del grupo."""
    filas = bd.filas(
        'SELECT u.email, a.estado, a.observaciones, a.fecha FROM "Asistencia" a '
        'JOIN "Usuario" u ON u.id = a."estudianteId" JOIN "Grupo" g ON g.id = a."grupoId" '
        "WHERE g.nombre = :g",
        g=grupo,
    )
    return {e: (str(est), obs, str(f)[:19]) for e, est, obs, f in filas}


def registrar(cli, *args, fecha=F, input=None):
    return cli("asistencia", "registrar", "--grupo", GRUPO, "--fecha", fecha, *args, input=input)


# --- La forma de una línea -------------------------------------------------------------------------
def test_una_linea_todos_presentes_con_excepciones(bd, cli):
    r = registrar(
        cli,
        "--todos", "PRESENTE",
        "--ausente", VALENTINA,
        "--tardanza", MATEO,
        "--justificado", f"{SOFIA}=certificado médico",
    )
    assert r.codigo == 0, r.texto
    assert "1 presente, 1 ausente, 1 tardanza, 1 justificado" in r.stderr
    assert "4 creados, 0 actualizados, 0 sin cambios" in r.stderr
    assert registros(bd) == {
        LUCAS: ("PRESENTE", None, "2024-03-04 00:00:00"),
        VALENTINA: ("AUSENTE", None, "2024-03-04 00:00:00"),
        MATEO: ("TARDANZA", None, "2024-03-04 00:00:00"),
        SOFIA: ("JUSTIFICADO", "certificado médico", "2024-03-04 00:00:00"),
    }
    # Pedro está inactivo: --todos no lo incluye. Ids y updatedAt los pone amauta, como Prisma.
    assert PEDRO not in registros(bd)
    ids = [f[0] for f in bd.filas('SELECT id FROM "Asistencia"')]
    assert all(len(i) == 25 and i.startswith("c") for i in ids) and len(set(ids)) == 4
    assert bd.valor('SELECT count(*) FROM "Asistencia" WHERE "updatedAt" IS NULL OR "createdAt" IS NULL') == 0


def test_reejecutar_es_seguro_y_no_toca_nada(bd, cli):
    args = ("--todos", "P", "--ausente", VALENTINA, "--justificado", f"{SOFIA}=certificado")
    assert registrar(cli, *args).codigo == 0
    antes = bd.instantanea()
    r = registrar(cli, *args)
    assert r.codigo == 0, r.texto
    assert "0 creados, 0 actualizados, 4 sin cambios" in r.stderr
    assert bd.instantanea() == antes  # ni siquiera updatedAt


def test_estados_en_cualquier_caso_y_por_inicial(bd, cli):
    r = registrar(cli, "--todos", "tardanza", "--ausente", "2024-002")  # matrícula de Valentina
    assert r.codigo == 0, r.texto
    assert registros(bd)[VALENTINA][0] == "AUSENTE"
    assert registros(bd)[LUCAS][0] == "TARDANZA"
    r = cli("asistencia", "registrar", "-g", "4TO grado a", "--fecha", "04/03/2024", "-t", "t", "--ausente", VALENTINA)
    assert r.codigo == 0, r.texto
    assert "4 sin cambios" in r.stderr


@pytest.mark.rapida
def test_estado_invalido_nombra_los_validos(bd, cli):
    antes = bd.instantanea()
    r = registrar(cli, "--todos", "presentes")
    assert r.codigo == 1
    assert "--todos: 'presentes' no es un valor válido (PRESENTE, AUSENTE, TARDANZA, JUSTIFICADO; o su inicial: P, A, T, J; o Falta, Tarde, Llegó tarde" in r.stderr
    assert "Traceback" not in r.texto
    assert bd.instantanea() == antes


@pytest.mark.rapida
def test_solo_excepciones_escribe_solo_a_los_nombrados(bd, cli):
    r = registrar(cli, "--tardanza", f"{LUCAS}=colectivo demorado")
    assert r.codigo == 0, r.texto
    assert registros(bd) == {LUCAS: ("TARDANZA", "colectivo demorado", "2024-03-04 00:00:00")}
    assert "1 creado" in r.stderr


def test_fecha_por_defecto_es_hoy(bd, cli):
    r = cli("asistencia", "registrar", "--grupo", GRUPO, "--todos", "P", "--forzar", "--formato", "json")
    assert r.codigo == 0, r.texto
    datos = json.loads(r.stdout)
    assert datos["fecha"] == date.today().isoformat()
    assert datos["creados"] == 4 and datos["por_estado"]["PRESENTE"] == 4
    assert {f[2][:10] for f in registros(bd).values()} == {date.today().isoformat()}


def test_ayer_y_formato_argentino(bd, cli):
    r = registrar(cli, "--todos", "P", "--forzar", fecha="ayer")
    assert r.codigo == 0, r.texto
    ayer = (date.today() - timedelta(days=1)).isoformat()
    assert {f[2][:10] for f in registros(bd).values()} == {ayer}


# --- La regla de la observación -----------------------------------------------------------------------
def test_cambiar_un_estado_exige_observacion(bd, cli):
    assert registrar(cli, "--todos", "P", "--ausente", VALENTINA).codigo == 0
    antes = bd.instantanea()
    # Re-ejecutar sin la excepción pasaría a Valentina a PRESENTE sin decir por qué.
    r = registrar(cli, "--todos", "P")
    assert r.codigo == 1
    assert "Ruiz, Valentina (valentina.ruiz@mail.com) ya figura AUSENTE el 04/03/2024" in r.stderr
    assert "hace falta una observación" in r.stderr
    assert f'--presente "{VALENTINA}=motivo"' in r.stderr
    assert bd.instantanea() == antes
    r = registrar(cli, "--todos", "P", "--presente", f"{VALENTINA}=llegó a segunda hora con el padre")
    assert r.codigo == 0, r.texto
    assert "0 creados, 1 actualizado, 3 sin cambios" in r.stderr
    assert registros(bd)[VALENTINA][:2] == ("PRESENTE", "llegó a segunda hora con el padre")


def test_misma_observacion_nueva_sobre_el_mismo_estado_actualiza(bd, cli):
    assert registrar(cli, "--ausente", VALENTINA).codigo == 0
    r = registrar(cli, "--ausente", f"{VALENTINA}=avisó la madre")
    assert r.codigo == 0, r.texto
    assert "0 creados, 1 actualizado, 0 sin cambios" in r.stderr
    assert registros(bd)[VALENTINA][:2] == ("AUSENTE", "avisó la madre")
    # Sin observación, el mismo estado conserva la que había.
    r = registrar(cli, "--ausente", VALENTINA)
    assert "1 sin cambios" in r.stderr
    assert registros(bd)[VALENTINA][:2] == ("AUSENTE", "avisó la madre")


# --- Rechazos: nada escrito --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, mensaje",
    [
        (("--grupo", "7mo Z", "--todos", "P"), "No existe el grupo '7mo Z'"),
        (("--grupo", INACTIVO, "--todos", "P"), "El grupo '3ro Viejo' está inactivo"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", ANA), f"{ANA} (ESTUDIANTE) no es estudiante del grupo '4to Grado A'"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", BRUNO), f"{BRUNO} (ESTUDIANTE) no es estudiante del grupo"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", MARIA), f"{MARIA} (EDUCADOR) no es estudiante del grupo"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", "nadie@mail.com"), "no existe un usuario con el email 'nadie@mail.com'"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", "9999-999"), "ningún estudiante del grupo '4to Grado A' tiene la matrícula '9999-999'"),
        (("--grupo", GRUPO, "--todos", "P", "--ausente", PEDRO), "Torres, Pedro (pedro.torres@mail.com) está inactivo"),
        (("--grupo", GRUPO, "--ausente", LUCAS, "--tardanza", LUCAS), "aparece dos veces con datos distintos"),
        (("--grupo", GRUPO, "--todos", "P", "--fecha", "2999-01-04"), "la fecha 04/01/2999 es futura"),
        (("--grupo", GRUPO, "--todos", "P", "--fecha", SABADO.isoformat()), "9/3/2024 es sábado. Si ese día hubo clase"),
        (("--grupo", GRUPO, "--todos", "P", "--fecha", "2024-03-10"), "es domingo"),
        (("--grupo", GRUPO, "--todos", "P", "--fecha", "31/02/2024"), "--fecha: '31/02/2024' no es una fecha válida (febrero de 2024 tiene 29 días)"),
    ],
)
def test_rechazos_no_escriben_nada(bd, cli, args, mensaje):
    if "--fecha" not in args:
        args = (*args, "--fecha", F)
    antes = bd.instantanea()
    r = cli("asistencia", "registrar", *args)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert "Traceback" not in r.texto and r.excepcion is None
    assert bd.instantanea() == antes


def test_varios_problemas_se_informan_juntos(bd, cli):
    antes = bd.instantanea()
    r = registrar(cli, "--todos", "P", "--ausente", ANA, "--tardanza", "nadie@mail.com", "--ausente", VALENTINA)
    assert r.codigo == 1
    assert "2 problemas" in r.stderr
    assert f"--ausente: {ANA} (ESTUDIANTE) no es estudiante" in r.stderr
    assert "--tardanza: no existe un usuario con el email 'nadie@mail.com'" in r.stderr
    assert bd.instantanea() == antes


def test_sabado_con_forzar(bd, cli):
    r = registrar(cli, "--todos", "P", "--forzar", fecha=SABADO.isoformat())
    assert r.codigo == 0, r.texto
    assert "sábado 09/03/2024" in r.stderr
    assert len(registros(bd)) == 4


def test_sin_nada_que_registrar_y_sin_terminal_es_error_de_uso(bd, cli):
    antes = bd.instantanea()
    r = registrar(cli)
    assert r.codigo == 2
    assert "indique --todos ESTADO" in r.texto
    assert bd.instantanea() == antes


# --- CSV ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "texto, codificacion",
    [
        (f"email,estado,observaciones\n{LUCAS},P,\n{VALENTINA},ausente,\n{SOFIA},J,certificado médico\n{MATEO},Tardanza,\n", "utf-8"),
        (f"Email;Estado;Observaciones\r\n{LUCAS};PRESENTE;\r\n{VALENTINA};a;\r\n{SOFIA};j;certificado médico\r\n{MATEO};t;\r\n", "utf-8-sig"),
        ("Matrícula;Estado;Observación\r\n2024-001;p;\r\n2024-002;A;\r\n2024-004;J;certificado médico\r\n2024-003;T;\r\n", "cp1252"),
    ],
    ids=["coma-utf8", "punto-y-coma-bom", "matricula-cp1252"],
)
def test_archivo_csv_en_sus_dialectos(bd, cli, tmp_path, texto, codificacion):
    ruta = escribir_csv(tmp_path / "hoy.csv", texto, codificacion)
    r = registrar(cli, "--archivo", ruta)
    assert r.codigo == 0, r.texto
    assert "4 creados" in r.stderr
    assert {e: v[:2] for e, v in registros(bd).items()} == {
        LUCAS: ("PRESENTE", None),
        VALENTINA: ("AUSENTE", None),
        SOFIA: ("JUSTIFICADO", "certificado médico"),
        MATEO: ("TARDANZA", None),
    }


def test_archivo_con_excepciones_y_todos(bd, cli, tmp_path):
    ruta = escribir_csv(tmp_path / "exc.csv", f"email,estado\n{VALENTINA},A\n")
    r = registrar(cli, "--todos", "P", "--archivo", ruta)
    assert r.codigo == 0, r.texto
    assert "3 presentes, 1 ausente" in r.stderr


def test_archivo_con_lineas_malas_las_nombra_todas(bd, cli, tmp_path):
    texto = (
        "email,estado,observaciones\n"
        f"{LUCAS},P,\n"
        f"{VALENTINA},X,\n"  # línea 3: estado
        f"{ANA},A,\n"  # línea 4: otro grupo
        ",P,\n"  # línea 5: sin email
        f"{MATEO},,\n"  # línea 6: sin estado
    )
    antes = bd.instantanea()
    r = registrar(cli, "--archivo", escribir_csv(tmp_path / "malo.csv", texto))
    assert r.codigo == 1
    assert "línea 3: estado: 'X' no es un valor válido" in r.stderr
    assert "línea 5: falta el email (o la matrícula)" in r.stderr
    assert "línea 6: falta el estado" in r.stderr
    assert bd.instantanea() == antes
    # Corregidas las de formato, queda la del estudiante ajeno, con su línea.
    texto = f"email,estado\n{LUCAS},P\n{ANA},A\n"
    r = registrar(cli, "--archivo", escribir_csv(tmp_path / "malo2.csv", texto))
    assert r.codigo == 1
    assert f"línea 3: {ANA} (ESTUDIANTE) no es estudiante del grupo '4to Grado A'" in r.stderr
    assert bd.instantanea() == antes


def test_archivo_que_cambia_un_estado_pide_la_columna_observaciones(bd, cli, tmp_path):
    assert registrar(cli, "--todos", "P").codigo == 0
    antes = bd.instantanea()
    r = registrar(cli, "--archivo", escribir_csv(tmp_path / "c.csv", f"email,estado\n{LUCAS},P\n{MATEO},A\n"))
    assert r.codigo == 1
    assert "línea 3: García, Mateo (mateo.garcia@mail.com) ya figura PRESENTE el 04/03/2024" in r.stderr
    assert "(complete la columna observaciones)" in r.stderr
    assert bd.instantanea() == antes
    texto = f"email,estado,observaciones\n{LUCAS},P,\n{MATEO},A,se retiró enfermo\n"
    r = registrar(cli, "--archivo", escribir_csv(tmp_path / "d.csv", texto))
    assert r.codigo == 0, r.texto
    assert "0 creados, 1 actualizado, 1 sin cambios" in r.stderr


def test_archivo_sin_columna_de_estudiante(bd, cli, tmp_path):
    r = registrar(cli, "--archivo", escribir_csv(tmp_path / "x.csv", "nombre,estado\nLucas,P\n"))
    assert r.codigo == 1
    assert "falta la columna email (o matricula)" in r.stderr


# --- Interactivo -------------------------------------------------------------------------------------------
def test_interactivo_una_tecla_por_estudiante(bd, cli):
    # Orden por apellido: Fernández (Lucas), García (Mateo), Pérez (Sofía), Ruiz (Valentina).
    teclas = "\r" + "t" + "jcertificado médico\n" + "A" + "s\n"
    r = registrar(cli, "--interactivo", input=teclas)
    assert r.codigo == 0, r.texto
    assert "[1/4] Fernández, Lucas" in r.stderr and "[4/4] Ruiz, Valentina" in r.stderr
    assert "Resumen: 1 presente, 1 ausente, 1 tardanza, 1 justificado." in r.stderr
    assert "4 creados" in r.stderr
    assert {e: v[:2] for e, v in registros(bd).items()} == {
        LUCAS: ("PRESENTE", None),
        MATEO: ("TARDANZA", None),
        SOFIA: ("JUSTIFICADO", "certificado médico"),
        VALENTINA: ("AUSENTE", None),
    }


def test_interactivo_volver_tecla_invalida_y_cambio_con_motivo(bd, cli):
    assert registrar(cli, "--todos", "P", "--ausente", VALENTINA).codigo == 0
    # Lucas: x no es válida, Enter conserva PRESENTE; en Mateo, < vuelve a Lucas (Enter otra vez);
    # Mateo pasa de PRESENTE a TARDANZA: se exige el motivo (un Enter vacío se vuelve a pedir);
    # Sofía Enter; Valentina Enter conserva lo registrado (AUSENTE).
    teclas = "x\r" + "<" + "\r" + "t\nllegó 8:20\n" + "\r" + "\r" + "s\n"
    r = registrar(cli, "--interactivo", input=teclas)
    assert r.codigo == 0, r.texto
    assert "tecla 'x' no válida" in r.stderr
    assert "(vuelve al anterior)" in r.stderr
    assert "ya figura AUSENTE) P/A/T/J [Enter=AUSENTE]" in r.stderr
    assert "0 creados, 1 actualizado, 3 sin cambios" in r.stderr
    assert registros(bd)[MATEO][:2] == ("TARDANZA", "llegó 8:20")
    assert registros(bd)[VALENTINA][:2] == ("AUSENTE", None)


@pytest.mark.parametrize("teclas", ["pq", "pppa" + "n\n", "pp"], ids=["q", "no-confirma", "se-acaba"])
def test_interactivo_cancelado_no_guarda(bd, cli, teclas):
    antes = bd.instantanea()
    r = registrar(cli, "--interactivo", input=teclas)
    assert r.codigo == 1
    assert "no se guardó nada" in r.stderr or "Operación cancelada" in r.stderr
    assert bd.instantanea() == antes


def test_interactivo_rechaza_antes_de_preguntar(bd, cli):
    r = cli("asistencia", "registrar", "-g", INACTIVO, "--fecha", F, "--interactivo", input="pppp")
    assert r.codigo == 1 and "inactivo" in r.stderr and "[1/" not in r.stderr
    r = registrar(cli, "--interactivo", fecha=SABADO.isoformat(), input="pppp")
    assert r.codigo == 1 and "sábado" in r.stderr and "[1/" not in r.stderr


# --- Servicio: la clave de una marca ------------------------------------------------------------------------
@settings(deadline=None)  # la primera llamada importa el servicio (SQLAlchemy)
@given(
    local=st.from_regex(r"[a-z0-9._%+=-]{1,12}", fullmatch=True),
    # Sin caracteres de control: se rechazan (ver test_planillas.py).
    obs=st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=0, max_size=30).filter(lambda t: t == t.strip()),
)
def test_parsear_marca_separa_en_el_igual_despues_de_la_arroba(local, obs):
    import unicodedata

    from amauta_cli.services.asistencia import parsear_marca

    email = f"{local}@escuela.edu.ar"
    m = parsear_marca(f"{email}={obs}" if obs else email, "AUSENTE")
    assert m.clave == email
    assert m.observaciones == (unicodedata.normalize("NFC", obs) or None)
    assert m.estado == "AUSENTE"


# --- ver --------------------------------------------------------------------------------------------------------
def test_ver_lista_el_dia_con_sin_registrar(bd, cli):
    assert registrar(cli, "--ausente", f"{VALENTINA}=fiebre", "--tardanza", MATEO).codigo == 0
    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", "04/03/2024", "--formato", "json")
    assert r.codigo == 0, r.texto
    filas = {f["email"]: (f["estado"], f["observaciones"]) for f in json.loads(r.stdout)}
    assert filas == {
        LUCAS: ("sin registrar", None),
        MATEO: ("TARDANZA", None),
        SOFIA: ("sin registrar", None),
        VALENTINA: ("AUSENTE", "fiebre"),
        # Pedro está dado de baja: no está "sin registrar" (issue 11, punto 14).
    }
    assert PEDRO not in filas
    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", F)
    assert r.codigo == 0
    assert f"4to Grado A ({ESCUELA}) — lunes 04/03/2024" in r.stdout
    assert "Total: 1 ausente, 1 tardanza, 2 sin registrar." in r.stdout
    r = cli("asistencia", "ver", "--grupo", GRUPO, "--fecha", F, "--formato", "csv")
    lineas = r.stdout.splitlines()
    assert lineas[0] == "apellido,nombre,email,matricula,estado,observaciones"
    assert f"Ruiz,Valentina,{VALENTINA},2024-002,AUSENTE,fiebre" in lineas


def test_ver_de_un_grupo_inexistente(bd, cli):
    r = cli("asistencia", "ver", "--grupo", "nada")
    assert r.codigo == 1 and "No existe el grupo 'nada'" in r.stderr


# --- pendientes --------------------------------------------------------------------------------------------------
def test_pendientes(bd, cli):
    r = cli("asistencia", "pendientes", "--fecha", F, "--formato", "json")
    assert r.codigo == 3, r.texto  # hay pendientes: código 3, para los scripts
    assert sorted(f["grupo"] for f in json.loads(r.stdout)) == [GRUPO, OTRO_GRUPO, "Matemática I"]
    assert registrar(cli, "--ausente", VALENTINA).codigo == 0  # un registro no completa el día
    r = cli("asistencia", "pendientes", "--fecha", F, "--institucion", "escuela nº 42", "--formato", "json")
    filas = json.loads(r.stdout)
    assert [
        (f["grupo"], f["institucion"], f["estudiantes"], f["sin_estado"], f["situacion"], f["educador"]) for f in filas
    ] == [
        (GRUPO, ESCUELA, 4, 3, "incompleto", MARIA),  # Pedro está inactivo: no cuenta
        (OTRO_GRUPO, ESCUELA, 2, 2, "sin registro", MARIA),
    ]
    # Otro día, 4to A vuelve a estar pendiente; el grupo inactivo nunca aparece.
    r = cli("asistencia", "pendientes", "--fecha", "2024-03-05")
    assert r.codigo == 3
    assert GRUPO in r.stdout and INACTIVO not in r.stdout
    assert "3 días pendientes de 3 grupos." in r.stdout


def test_pendientes_ninguno(bd, cli):
    for g in (GRUPO, OTRO_GRUPO, "Matemática I"):
        assert cli("asistencia", "registrar", "-g", g, "--fecha", F, "--todos", "P").codigo == 0
    r = cli("asistencia", "pendientes", "--fecha", F)
    assert r.codigo == 0
    assert "Todos los grupos activos tomaron asistencia completa el lunes 04/03/2024." in r.stderr


def test_libre_no_aparece_en_ningun_lado(bd, cli):
    r = registrar(cli, "--todos", "P", "--presente", LIBRE)
    assert r.codigo == 1 and f"{LIBRE} (ESTUDIANTE) no es estudiante del grupo" in r.stderr
    assert sorted(registros(bd)) == []
    assert ACTIVOS_4A == [LUCAS, MATEO, SOFIA, VALENTINA]


def test_registrar_cuarenta_es_un_punado_de_consultas(bd):
    """Las mismas pocas consultas para 4 que para 40 estudiantes: nada por estudiante."""
    from sqlalchemy import event

    from amauta_cli.db import crear_motor, transaccion
    from amauta_cli.services.asistencia import Marca, registrar

    grande = agregar_grupo(bd.url, "Aula Grande", 40)

    sentencias: list[str] = []
    motor = crear_motor(bd.url)

    def contar(conn, cursor, sql, *a):
        sentencias.append(sql)

    event.listen(motor, "before_cursor_execute", contar)
    try:
        def medir(grupo, marcas):
            sentencias.clear()
            with transaccion(bd.url) as s:
                r = registrar(s, grupo, LUNES, marcas, todos="PRESENTE")
            return r, len(sentencias)

        r4, n4 = medir(GRUPO, [Marca(VALENTINA, "AUSENTE")])
        r40, n40 = medir("Aula Grande", [Marca(grande[3], "AUSENTE"), Marca(grande[7], "TARDANZA")])
    finally:
        event.remove(motor, "before_cursor_execute", contar)
    assert (r4.creados, r40.creados) == (4, 40)
    assert n40 == n4 <= 8, sentencias
    assert bd.valor('SELECT count(*) FROM "Asistencia"') == 44
