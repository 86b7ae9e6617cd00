"""``amauta usuarios``: alta, listado, ficha, edición, activación y contraseñas, en ambos motores."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fabrica import ESCUELA, PASSWORD, hash_de, sin_secretos, verifica_bcrypt

from amauta_cli.db import transaccion
from amauta_cli.errores import OperacionRechazada
from amauta_cli.services import usuarios

NUEVA = "Nueva-Clave-2025"


def _crear(amauta, *extra: str, input: str | None = NUEVA + "\n"):
    return amauta(
        "usuarios", "crear", "--email", "  Sofia.Perez@Mail.COM ", "--nombre", "Sofía",
        "--apellido", "Pérez", "--rol", "estudiante", *extra, input=input,
    )


# --- crear -------------------------------------------------------------------------------------------
def test_crear_con_password_stdin_guarda_usuario_perfil_y_hash_bcrypt(amauta, escuela):
    r = _crear(amauta, "--password-stdin", "--matricula", "2025-010", "--grado", "5to", "--ciudad", "Salta")
    assert r.codigo == 0, r.texto
    assert "Usuario creado: sofia.perez@mail.com (ESTUDIANTE)" in r.stderr
    assert r.stdout == ""
    sin_secretos(r.texto, NUEVA)
    fila = escuela.filas(
        'SELECT u.email, u.nombre, u.apellido, u.rol, u.activo, p.matricula, p.grado, p.ciudad '
        'FROM "Usuario" u JOIN "Perfil" p ON p."usuarioId" = u.id WHERE u.email = :e',
        e="sofia.perez@mail.com",
    )
    assert [tuple(bool(v) if i == 4 else v for i, v in enumerate(f)) for f in fila] == [
        ("sofia.perez@mail.com", "Sofía", "Pérez", "ESTUDIANTE", True, "2025-010", "5to", "Salta")
    ]
    assert verifica_bcrypt(hash_de(escuela, "sofia.perez@mail.com"), NUEVA)
    assert escuela.valor('SELECT "updatedAt" FROM "Usuario" WHERE email = :e', e="sofia.perez@mail.com")


def test_crear_pide_la_password_dos_veces_sin_mostrarla(amauta, escuela):
    r = _crear(amauta, input=f"{NUEVA}\n{NUEVA}\n")
    assert r.codigo == 0, r.texto
    assert "Contraseña nueva" in r.stderr and "Repita la contraseña" in r.stderr
    sin_secretos(r.texto, NUEVA)
    assert verifica_bcrypt(hash_de(escuela, "sofia.perez@mail.com"), NUEVA)


def test_crear_vuelve_a_pedir_si_no_coinciden_o_es_corta(amauta, escuela):
    r = _crear(amauta, input=f"corta\n{NUEVA}\notra-cosa-123\n{NUEVA}\n{NUEVA}\n")
    assert r.codigo == 0, r.texto
    assert "al menos 8 caracteres" in r.stderr
    assert "no coinciden" in r.stderr
    sin_secretos(r.texto, NUEVA, "otra-cosa-123")
    assert verifica_bcrypt(hash_de(escuela, "sofia.perez@mail.com"), NUEVA)


def test_crear_sin_password_en_la_entrada_no_escribe_nada(amauta, escuela):
    antes = escuela.instantanea()
    r = _crear(amauta, input="")
    assert r.codigo == 1
    assert "No se recibió la contraseña" in r.stderr and "--password-stdin" in r.stderr
    assert escuela.instantanea() == antes


def test_crear_con_password_generada_la_muestra_una_vez_en_stderr(amauta, escuela):
    r = _crear(amauta, "--generar-password", input=None)
    assert r.codigo == 0, r.texto
    linea = [x for x in r.stderr.splitlines() if "Contraseña generada" in x]
    assert len(linea) == 1
    generada = linea[0].rsplit(": ", 1)[1].strip()
    assert len(generada) >= 16
    assert generada not in r.stdout
    assert verifica_bcrypt(hash_de(escuela, "sofia.perez@mail.com"), generada)


def test_password_stdin_y_generar_juntas_es_error_de_uso(amauta, escuela):
    antes = escuela.instantanea()
    r = _crear(amauta, "--password-stdin", "--generar-password")
    assert r.codigo == 2
    assert "no ambos" in r.stderr
    assert escuela.instantanea() == antes


@pytest.mark.parametrize(
    "args, mensaje",
    [
        (["--email", "MARIA.Gonzalez@edu.ar"], "Ya existe un usuario con el email 'maria.gonzalez@edu.ar'"),
        (["--email", "no-es-email"], "'no-es-email' no es un email válido"),
        (["--rol", "profesor"], "rol: 'profesor' no es un valor válido (ESTUDIANTE, EDUCADOR, ADMIN_ESCUELA, SUPER_ADMIN)"),
        (["--nombre", "  "], "nombre: no puede estar vacío"),
        (["--experiencia", "mucha"], "experiencia: 'mucha' no es una cantidad de años válida"),
    ],
)
def test_crear_rechaza_datos_invalidos_sin_escribir(amauta, escuela, args, mensaje):
    base = {"--email": "nuevo@mail.com", "--nombre": "Ana", "--apellido": "Paz", "--rol": "ESTUDIANTE"}
    opciones = dict(base)
    extra = []
    for i in range(0, len(args), 2):
        if args[i] in opciones:
            opciones[args[i]] = args[i + 1]
        else:
            extra += args[i : i + 2]
    argv = [x for par in opciones.items() for x in par] + extra
    antes = escuela.instantanea()
    r = amauta("usuarios", "crear", *argv, "--password-stdin", input=NUEVA + "\n")
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert "Traceback" not in r.texto
    assert escuela.instantanea() == antes


@pytest.mark.rapida
def test_email_repetido_se_detecta_antes_de_pedir_la_password(amauta, escuela):
    r = amauta("usuarios", "crear", "--email", "Lucas.Fernandez@MAIL.com", "--nombre", "L", "--apellido", "F", "--rol", "ESTUDIANTE", input="")
    assert r.codigo == 1
    assert "Ya existe" in r.stderr
    assert "Contraseña nueva" not in r.stderr


@pytest.mark.parametrize("pw, mensaje", [("corta", "al menos 8"), ("ñ" * 40, "máximo es 72 bytes")])
def test_password_invalida_por_stdin(amauta, escuela, pw, mensaje):
    antes = escuela.instantanea()
    r = _crear(amauta, "--password-stdin", input=pw + "\n")
    assert r.codigo == 1
    assert mensaje in r.stderr
    sin_secretos(r.texto, pw)
    assert escuela.instantanea() == antes


def test_un_email_guardado_con_mayusculas_tambien_cuenta(amauta, escuela):
    # Un usuario creado por la aplicación Prisma, con mayúsculas en el email.
    escuela.ejecutar('UPDATE "Usuario" SET email = :n WHERE email = :v', n="Mateo.Garcia@Mail.com", v="mateo.garcia@mail.com")
    r = amauta("usuarios", "crear", "--email", "mateo.garcia@mail.com", "--nombre", "M", "--apellido", "G",
               "--rol", "ESTUDIANTE", "--password-stdin", input=NUEVA + "\n")
    assert r.codigo == 1
    assert "registrado como 'Mateo.Garcia@Mail.com'" in r.stderr


# --- listar ------------------------------------------------------------------------------------------
def _emails(salida: str) -> list[str]:
    return [f["email"] for f in json.loads(salida)]


def test_listar_ordena_por_apellido_y_filtra(amauta):
    r = amauta("usuarios", "listar", "--formato", "json")
    assert r.codigo == 0, r.texto
    emails = _emails(r.stdout)
    assert len(emails) == 8
    assert emails[0] == "ex.alumno@mail.com" and emails[-1] == "admin@amauta.org"  # Alumno ... Sistema
    assert set(_emails(amauta("usuarios", "listar", "--rol", "educador", "-f", "json").stdout)) == {
        "maria.gonzalez@edu.ar", "carlos.lopez@edu.ar",
    }
    assert _emails(amauta("usuarios", "listar", "--inactivos", "-f", "json").stdout) == ["ex.alumno@mail.com"]
    assert len(_emails(amauta("usuarios", "listar", "--activos", "-f", "json").stdout)) == 7
    r = amauta("usuarios", "listar", "--activos", "--inactivos")
    assert r.codigo == 2 and "no ambos" in r.stderr


@pytest.mark.parametrize(
    "texto, esperados",
    [
        ("gonzalez", {"maria.gonzalez@edu.ar"}),
        ("GONZÁLEZ", {"maria.gonzalez@edu.ar"}),
        ("maria gonz", {"maria.gonzalez@edu.ar"}),
        ("Fernandez Lucas", {"lucas.fernandez@mail.com"}),
        ("lopez", {"carlos.lopez@edu.ar"}),
        ("martinez", {"director@escuela.edu.ar"}),
        ("@MAIL.com", {"lucas.fernandez@mail.com", "valentina.ruiz@mail.com", "mateo.garcia@mail.com", "ex.alumno@mail.com"}),
        ("2024-00", {"lucas.fernandez@mail.com", "valentina.ruiz@mail.com", "mateo.garcia@mail.com"}),
        ("%", set()),
        ("_", set()),
    ],
)
def test_buscar_sin_mayusculas_ni_acentos(amauta, texto, esperados):
    r = amauta("usuarios", "listar", "--buscar", texto, "--formato", "json")
    assert r.codigo == 0, r.texto
    assert set(_emails(r.stdout)) == esperados


def test_listar_pagina(amauta):
    r = amauta("usuarios", "listar", "--por-pagina", "3", "--pagina", "2", "--formato", "json")
    assert len(_emails(r.stdout)) == 3
    r = amauta("usuarios", "listar", "--por-pagina", "3", "--pagina", "2")
    assert "Página 2 de 3 · 8 usuarios. Use --pagina 3 para ver más." in r.stdout
    r = amauta("usuarios", "listar", "--por-pagina", "3", "--pagina", "9")
    assert r.codigo == 0 and "La página 9 está vacía" in r.stderr


def test_listar_csv_y_tabla(amauta):
    r = amauta("usuarios", "listar", "--rol", "ESTUDIANTE", "--activos", "--formato", "csv")
    lineas = r.stdout.strip().splitlines()
    assert lineas[0] == "email,apellido,nombre,rol,activo,matricula,grado,id,createdAt"
    assert lineas[1].startswith("lucas.fernandez@mail.com,Fernández,Lucas,ESTUDIANTE,sí,2024-001,4to,")
    assert len(lineas) == 4
    r = amauta("usuarios", "listar", "--buscar", "gonzalez")
    assert "María" in r.stdout and "González" in r.stdout
    r = amauta("usuarios", "listar", "--buscar", "nadie")
    assert r.stdout == "" and "Ningún usuario cumple esos filtros" in r.stderr


# --- ver -----------------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_ver_muestra_perfil_grupos_e_inscripciones_sin_hash(amauta):
    r = amauta("usuarios", "ver", "MARIA.gonzalez@edu.ar", "--formato", "json")
    assert r.codigo == 0, r.texto
    d = json.loads(r.stdout)
    assert "password" not in d
    assert d["password_definida"] is True
    assert d["perfil"]["especialidad"] == ["Álgebra", "Geometría"] and d["perfil"]["experiencia"] == 10
    assert [(g["nombre"], g["participacion"]) for g in d["grupos"]] == [("4to Grado A", "educador")]
    d = json.loads(amauta("usuarios", "ver", "lucas.fernandez@mail.com", "-f", "json").stdout)
    assert [(g["nombre"], g["participacion"]) for g in d["grupos"]] == [("4to Grado A", "estudiante")]
    assert d["inscripciones"] == []
    for formato in ("tabla", "json", "csv"):
        r = amauta("usuarios", "ver", "lucas.fernandez@mail.com", "--formato", formato)
        assert r.codigo == 0
        sin_secretos(r.texto, PASSWORD)
        assert "2024-001" in r.stdout
    r = amauta("usuarios", "ver", "lucas.fernandez@mail.com", "--formato", "csv")
    pares = dict(csv.reader(io.StringIO(r.stdout)))
    assert pares["grupos"] == f"4to Grado A ({ESCUELA}, estudiante)"
    assert pares["password_definida"] == "sí" and "password" not in pares


def test_ver_usuario_inexistente(amauta):
    r = amauta("usuarios", "ver", "nadie@mail.com")
    assert r.codigo == 1
    assert "No existe un usuario con el email 'nadie@mail.com'" in r.stderr


# --- editar -------------------------------------------------------------------------------------------
def test_editar_cambia_datos_y_perfil(amauta, escuela):
    antes = escuela.valor('SELECT "updatedAt" FROM "Usuario" WHERE email = :e', e="lucas.fernandez@mail.com")
    r = amauta("usuarios", "editar", "Lucas.Fernandez@mail.com", "--nombre", "Lucas Martín",
               "--email", "LUCAS.M.FERNANDEZ@mail.com", "--grado", "5to", "--matricula", "")
    assert r.codigo == 0, r.texto
    assert "nombre: 'Lucas' → 'Lucas Martín'" in r.stderr
    assert "perfil.matricula: '2024-001' → (vacío)" in r.stderr
    fila = escuela.filas(
        'SELECT u.nombre, p.grado, p.matricula, u."updatedAt" FROM "Usuario" u '
        'JOIN "Perfil" p ON p."usuarioId" = u.id WHERE u.email = :e', e="lucas.m.fernandez@mail.com",
    )
    assert fila[0][:3] == ("Lucas Martín", "5to", None)
    assert fila[0][3] >= antes


def test_editar_sin_cambios_y_sin_opciones(amauta, escuela):
    antes = escuela.instantanea()
    r = amauta("usuarios", "editar", "lucas.fernandez@mail.com", "--nombre", "Lucas")
    assert r.codigo == 0 and "Sin cambios" in r.stderr
    r = amauta("usuarios", "editar", "lucas.fernandez@mail.com")
    assert r.codigo == 1 and "Nada que cambiar" in r.stderr
    assert escuela.instantanea() == antes


@pytest.mark.parametrize(
    "email, args, mensaje",
    [
        ("lucas.fernandez@mail.com", ["--email", "Valentina.Ruiz@MAIL.com"], "Ya existe un usuario con el email 'valentina.ruiz@mail.com'"),
        ("lucas.fernandez@mail.com", ["--rol", "rector"], "rol: 'rector' no es un valor válido"),
        ("lucas.fernandez@mail.com", ["--rol", "EDUCADOR"], "no puede dejar de ser ESTUDIANTE: está en 1 grupo activo (4to Grado A)"),
        ("maria.gonzalez@edu.ar", ["--rol", "ESTUDIANTE"], "no puede dejar de ser EDUCADOR: está a cargo de 1 grupo activo (4to Grado A)"),
        ("admin@amauta.org", ["--rol", "ADMIN_ESCUELA"], "es el último SUPER_ADMIN activo"),
        ("nadie@mail.com", ["--nombre", "X"], "No existe un usuario con el email 'nadie@mail.com'"),
        ("lucas.fernandez@mail.com", ["--apellido", ""], "apellido: no puede estar vacío"),
    ],
)
def test_editar_rechaza_sin_escribir(amauta, escuela, email, args, mensaje):
    antes = escuela.instantanea()
    r = amauta("usuarios", "editar", email, *args)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert escuela.instantanea() == antes


def test_editar_crea_el_perfil_si_faltaba(amauta, escuela):
    escuela.ejecutar('DELETE FROM "Perfil" WHERE "usuarioId" = (SELECT id FROM "Usuario" WHERE email = :e)', e="mateo.garcia@mail.com")
    r = amauta("usuarios", "editar", "mateo.garcia@mail.com", "--ciudad", "Rosario", "--especialidad", "Ajedrez; Música")
    assert r.codigo == 0, r.texto
    d = json.loads(amauta("usuarios", "ver", "mateo.garcia@mail.com", "-f", "json").stdout)
    assert d["perfil"]["ciudad"] == "Rosario" and d["perfil"]["especialidad"] == ["Ajedrez", "Música"]


def test_estudiante_sin_grupos_activos_puede_cambiar_de_rol(amauta, escuela):
    r = amauta("usuarios", "editar", "mateo.garcia@mail.com", "--rol", "educador")
    assert r.codigo == 0, r.texto
    assert escuela.valor('SELECT rol FROM "Usuario" WHERE email = :e', e="mateo.garcia@mail.com") == "EDUCADOR"


# --- activar / desactivar --------------------------------------------------------------------------------
def test_desactivar_y_activar(amauta, escuela):
    r = amauta("usuarios", "desactivar", "Valentina.Ruiz@mail.com")
    assert r.codigo == 0 and "Usuario desactivado: valentina.ruiz@mail.com" in r.stderr
    assert not escuela.valor('SELECT activo FROM "Usuario" WHERE email = :e', e="valentina.ruiz@mail.com")
    antes = escuela.instantanea()
    r = amauta("usuarios", "desactivar", "valentina.ruiz@mail.com")
    assert r.codigo == 0 and "ya estaba inactivo" in r.stderr
    assert escuela.instantanea() == antes
    r = amauta("usuarios", "activar", "valentina.ruiz@mail.com")
    assert r.codigo == 0 and "Usuario activado" in r.stderr
    assert escuela.valor('SELECT activo FROM "Usuario" WHERE email = :e', e="valentina.ruiz@mail.com")


def test_desactivar_educador_avisa_sus_grupos(amauta):
    r = amauta("usuarios", "desactivar", "maria.gonzalez@edu.ar")
    assert r.codigo == 0
    assert "sigue figurando como educador de 1 grupo activo: 4to Grado A" in r.stderr


def test_ultimo_super_admin_no_se_desactiva_ni_se_degrada(amauta, escuela):
    antes = escuela.instantanea()
    r = amauta("usuarios", "desactivar", "admin@amauta.org")
    assert r.codigo == 1
    assert "es el último SUPER_ADMIN activo" in r.stderr
    assert escuela.instantanea() == antes
    # Con un segundo SUPER_ADMIN activo, uno puede irse; el que queda, no.
    assert amauta("usuarios", "editar", "director@escuela.edu.ar", "--rol", "super admin").codigo == 0
    assert amauta("usuarios", "desactivar", "admin@amauta.org").codigo == 0
    r = amauta("usuarios", "editar", "director@escuela.edu.ar", "--rol", "ADMIN_ESCUELA")
    assert r.codigo == 1 and "último SUPER_ADMIN activo" in r.stderr
    r = amauta("usuarios", "desactivar", "director@escuela.edu.ar")
    assert r.codigo == 1
    # Un SUPER_ADMIN inactivo no cuenta, pero se puede editar libremente.
    assert amauta("usuarios", "editar", "admin@amauta.org", "--rol", "ADMIN_ESCUELA").codigo == 0


def test_dos_bajas_simultaneas_no_dejan_cero_super_admins(escuela):
    """A desactiva un SUPER_ADMIN y, antes de confirmar, B intenta desactivar al otro."""
    import threading
    import time

    escuela.ejecutar('UPDATE "Usuario" SET rol = :r WHERE email = :e', r="SUPER_ADMIN", e="director@escuela.edu.ar")
    a_bloqueo = threading.Event()
    errores: dict[str, BaseException] = {}

    def a():
        try:
            with transaccion(escuela.url) as s:
                usuarios.desactivar(s, "admin@amauta.org")
                a_bloqueo.set()
                time.sleep(0.5)  # B llega mientras A todavía no confirmó
        except BaseException as e:  # noqa: BLE001
            errores["a"] = e
            a_bloqueo.set()

    def b():
        a_bloqueo.wait(10)
        try:
            with transaccion(escuela.url) as s:
                usuarios.desactivar(s, "director@escuela.edu.ar")
        except BaseException as e:  # noqa: BLE001
            errores["b"] = e

    hilos = [threading.Thread(target=a), threading.Thread(target=b)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(30)
    assert "a" not in errores, errores
    assert isinstance(errores.get("b"), OperacionRechazada), errores
    activos = escuela.filas('SELECT email FROM "Usuario" WHERE rol = :r AND activo = :v', r="SUPER_ADMIN", v=True)
    assert activos == [("director@escuela.edu.ar",)]


def test_ultimo_super_admin_servicio(escuela):
    with transaccion(escuela.url) as s:
        with pytest.raises(OperacionRechazada, match="último SUPER_ADMIN"):
            usuarios.desactivar(s, "admin@amauta.org")


# --- password ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("modo", ["stdin", "prompt", "generar"])
def test_password_cambia_el_hash(amauta, escuela, modo):
    anterior = hash_de(escuela, "mateo.garcia@mail.com")
    if modo == "stdin":
        r = amauta("usuarios", "password", "MATEO.garcia@mail.com", "--password-stdin", input=NUEVA + "\n")
        nueva = NUEVA
    elif modo == "prompt":
        r = amauta("usuarios", "password", "mateo.garcia@mail.com", input=f"{NUEVA}\n{NUEVA}\n")
        nueva = NUEVA
    else:
        r = amauta("usuarios", "password", "mateo.garcia@mail.com", "--generar-password")
        nueva = r.stderr.split("Contraseña generada", 1)[1].split("): ", 1)[1].split()[0]
        assert nueva not in r.stdout
    assert r.codigo == 0, r.texto
    assert "Contraseña actualizada para mateo.garcia@mail.com" in r.stderr
    assert r.stdout.strip() == ""  # (el getpass falso de CliRunner hace eco del ': ' en stdout)
    if modo != "generar":
        sin_secretos(r.texto, nueva)
    h = hash_de(escuela, "mateo.garcia@mail.com")
    assert h != anterior
    assert verifica_bcrypt(h, nueva)
    assert not verifica_bcrypt(h, PASSWORD)


def test_password_de_usuario_inexistente_no_pide_nada(amauta, escuela):
    r = amauta("usuarios", "password", "nadie@mail.com", input=f"{NUEVA}\n{NUEVA}\n")
    assert r.codigo == 1
    assert "No existe un usuario" in r.stderr
    assert "Contraseña nueva" not in r.stderr


def test_password_stdin_vacia(amauta, escuela):
    antes = escuela.instantanea()
    r = amauta("usuarios", "password", "mateo.garcia@mail.com", "--password-stdin", input="")
    assert r.codigo == 1 and "no llegó ninguna contraseña" in r.stderr
    assert escuela.instantanea() == antes


def test_ninguna_salida_muestra_hashes_ni_passwords(amauta):
    _crear(amauta, "--password-stdin")
    for args in (
        ["usuarios", "listar"],
        ["usuarios", "ver", "sofia.perez@mail.com"],
        ["usuarios", "exportar"],
        ["grupos", "ver", "4to Grado A"],
    ):
        for formato in (["--formato", "json"], ["--formato", "csv"], []):
            r = amauta(*args, *formato)
            assert r.codigo == 0, (args, r.texto)
            sin_secretos(r.texto, NUEVA, PASSWORD)
