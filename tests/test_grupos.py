"""``amauta grupos``: alta con educador, listado, ficha, estudiantes y baja lógica."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fabrica import ESCUELA


def _miembros(bd, grupo="4to Grado A") -> set[str]:
    return {
        f[0]
        for f in bd.filas(
            'SELECT u.email FROM "GrupoEstudiante" ge JOIN "Usuario" u ON u.id = ge."estudianteId" '
            'JOIN "Grupo" g ON g.id = ge."grupoId" WHERE g.nombre = :g', g=grupo,
        )
    }


# --- crear ---------------------------------------------------------------------------------------------
def test_crear(amauta, escuela):
    r = amauta("grupos", "crear", "--institucion", "escuela nº 42 bernardino rivadavia", "--nombre", "5to Grado B",
               "--grado", "5to", "--seccion", "B", "--educador", "CARLOS.lopez@edu.ar")
    assert r.codigo == 0, r.texto
    assert f"Grupo creado: 5to Grado B en {ESCUELA}" in r.stderr
    fila = escuela.filas(
        'SELECT g.nombre, g.grado, g.seccion, u.email, i.nombre, g.activo FROM "Grupo" g JOIN "Usuario" u ON u.id = g."educadorId" '
        'JOIN "Institucion" i ON i.id = g."institucionId" WHERE g.nombre = :n', n="5to Grado B",
    )
    assert fila[0][:5] == ("5to Grado B", "5to", "B", "carlos.lopez@edu.ar", ESCUELA) and fila[0][5]


@pytest.mark.parametrize(
    "cambios, mensaje",
    [
        ({"--educador": "lucas.fernandez@mail.com"}, "'lucas.fernandez@mail.com' tiene rol ESTUDIANTE: el educador de un grupo debe tener rol EDUCADOR"),
        ({"--educador": "nadie@edu.ar"}, "No existe un usuario con el email 'nadie@edu.ar'"),
        ({"--institucion": "Colegio Cerrado"}, "La institución 'Colegio Cerrado' está inactiva"),
        ({"--institucion": "Escuela 99"}, "No existe la institución 'Escuela 99'"),
        ({"--nombre": "4TO grado a"}, f"Ya existe el grupo '4to Grado A' en '{ESCUELA}'"),
        ({"--nombre": " "}, "el nombre del grupo no puede estar vacío"),
    ],
)
def test_crear_rechaza_sin_escribir(amauta, escuela, cambios, mensaje):
    opciones = {"--institucion": ESCUELA, "--nombre": "5to B", "--educador": "carlos.lopez@edu.ar", **cambios}
    antes = escuela.instantanea()
    r = amauta("grupos", "crear", *[x for par in opciones.items() for x in par])
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert escuela.instantanea() == antes


def test_educador_inactivo_no_puede_tener_grupo(amauta, escuela):
    assert amauta("usuarios", "desactivar", "carlos.lopez@edu.ar").codigo == 0
    antes = escuela.instantanea()
    r = amauta("grupos", "crear", "-i", ESCUELA, "-n", "5to B", "-e", "carlos.lopez@edu.ar")
    assert r.codigo == 1 and "'carlos.lopez@edu.ar' está inactivo" in r.stderr
    assert escuela.instantanea() == antes


# --- listar y ver ---------------------------------------------------------------------------------------
@pytest.mark.rapida
def test_listar_y_ver(amauta):
    r = amauta("grupos", "listar", "--formato", "json")
    assert r.codigo == 0, r.texto
    assert [(g["nombre"], g["institucion"], g["educador"], g["estudiantes"], g["activo"]) for g in json.loads(r.stdout)] == [
        ("4to Grado A", ESCUELA, "maria.gonzalez@edu.ar", 2, True)
    ]
    assert json.loads(amauta("grupos", "listar", "--institucion", "Colegio Cerrado", "-f", "json").stdout) == []
    assert len(json.loads(amauta("grupos", "listar", "--educador", "maria.gonzalez@edu.ar", "-f", "json").stdout)) == 1
    assert json.loads(amauta("grupos", "listar", "--inactivos", "-f", "json").stdout) == []
    assert "4to Grado A" in amauta("grupos", "listar", "--buscar", "grado").stdout
    r = amauta("grupos", "ver", "4TO GRADO A", "--formato", "json")
    d = json.loads(r.stdout)
    assert d["educador"]["email"] == "maria.gonzalez@edu.ar"
    assert [e["email"] for e in d["estudiantes"]] == ["lucas.fernandez@mail.com", "valentina.ruiz@mail.com"]
    r = amauta("grupos", "ver", d["id"])
    assert "María González <maria.gonzalez@edu.ar>" in r.stdout and "Fernández" in r.stdout and "Ruiz" in r.stdout
    filas = list(csv.DictReader(io.StringIO(amauta("grupos", "ver", "4to Grado A", "-f", "csv").stdout)))
    assert [(f["email"], f["matricula"]) for f in filas] == [
        ("lucas.fernandez@mail.com", "2024-001"), ("valentina.ruiz@mail.com", "2024-002"),
    ]


def test_nombre_repetido_entre_instituciones_pide_institucion(amauta, escuela):
    assert amauta("instituciones", "crear", "--nombre", "Colegio Nuevo", "--tipo", "colegio").codigo == 0
    assert amauta("grupos", "crear", "-i", "Colegio Nuevo", "-n", "4to Grado A", "-e", "carlos.lopez@edu.ar").codigo == 0
    r = amauta("grupos", "ver", "4to Grado A")
    assert r.codigo == 1 and "existe en varias instituciones" in r.stderr and "--institucion" in r.stderr
    r = amauta("grupos", "ver", "4to Grado A", "--institucion", "colegio nuevo", "-f", "json")
    assert r.codigo == 0 and json.loads(r.stdout)["educador"]["email"] == "carlos.lopez@edu.ar"
    r = amauta("grupos", "agregar-estudiantes", "4to Grado A", "mateo.garcia@mail.com", "--institucion", "Colegio Nuevo")
    assert r.codigo == 0, r.texto
    assert _miembros(escuela) == {"lucas.fernandez@mail.com", "valentina.ruiz@mail.com", "mateo.garcia@mail.com"}


# --- estudiantes ---------------------------------------------------------------------------------------
def test_agregar_estudiantes_es_idempotente(amauta, escuela):
    r = amauta("grupos", "agregar-estudiantes", "4to grado a", "Lucas.Fernandez@mail.com", "MATEO.garcia@mail.com", "mateo.garcia@mail.com")
    assert r.codigo == 0, r.texto
    assert "1 estudiante agregado, 1 ya estaba" in r.stderr
    assert _miembros(escuela) == {"lucas.fernandez@mail.com", "valentina.ruiz@mail.com", "mateo.garcia@mail.com"}
    antes = escuela.instantanea()
    r = amauta("grupos", "agregar-estudiantes", "4to grado a", "mateo.garcia@mail.com")
    assert r.codigo == 0 and "0 estudiantes agregados, 1 ya estaba" in r.stderr
    assert escuela.instantanea() == antes


def test_agregar_desde_csv(amauta, escuela, tmp_path):
    ruta = tmp_path / "lista.csv"
    ruta.write_bytes("Apellido;Correo\nGarcía;mateo.garcia@mail.com\nFernández;lucas.fernandez@mail.com\n".encode("cp1252"))
    escuela.ejecutar(
        'INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt") '
        "VALUES ('u-nuevo', 'nuevo@mail.com', 'N', 'N', 'ESTUDIANTE', '!x', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    r = amauta("grupos", "agregar-estudiantes", "4to Grado A", "nuevo@mail.com", "--archivo", str(ruta))
    assert r.codigo == 0, r.texto
    assert "2 estudiantes agregados, 1 ya estaba" in r.stderr
    assert "mateo.garcia@mail.com" in _miembros(escuela) and "nuevo@mail.com" in _miembros(escuela)


@pytest.mark.rapida
def test_agregar_valida_todo_y_no_agrega_a_nadie(amauta, escuela, tmp_path):
    ruta = tmp_path / "lista.csv"
    ruta.write_text("email\nmateo.garcia@mail.com\nno-es-email\nmaria.gonzalez@edu.ar\n", encoding="utf-8")
    antes = escuela.instantanea()
    r = amauta("grupos", "agregar-estudiantes", "4to Grado A", "mateo.garcia@mail.com", "ex.alumno@mail.com",
               "nadie@mail.com", "director@escuela.edu.ar", "--archivo", str(ruta))
    assert r.codigo == 1, r.texto
    assert "No se agregó a nadie al grupo '4to Grado A': 5 problemas" in r.stderr
    for mensaje in (
        "'ex.alumno@mail.com' está inactivo",
        "no existe un usuario con el email 'nadie@mail.com'",
        "'director@escuela.edu.ar' tiene rol ADMIN_ESCUELA, no ESTUDIANTE",
        "línea 3: email: 'no-es-email' no es un email válido",
        "línea 4: 'maria.gonzalez@edu.ar' tiene rol EDUCADOR, no ESTUDIANTE",
    ):
        assert mensaje in r.stderr
    assert escuela.instantanea() == antes


def test_agregar_sin_emails_y_grupo_inactivo(amauta, escuela):
    antes = escuela.instantanea()
    r = amauta("grupos", "agregar-estudiantes", "4to Grado A")
    assert r.codigo == 1 and "Indique al menos un email" in r.stderr
    assert amauta("grupos", "desactivar", "4to Grado A").codigo == 0
    antes = escuela.instantanea()
    r = amauta("grupos", "agregar-estudiantes", "4to Grado A", "mateo.garcia@mail.com")
    assert r.codigo == 1 and "El grupo '4to Grado A' está inactivo" in r.stderr
    r = amauta("grupos", "quitar-estudiante", "4to Grado A", "lucas.fernandez@mail.com")
    assert r.codigo == 1 and "está inactivo" in r.stderr
    assert escuela.instantanea() == antes


def test_quitar_estudiante(amauta, escuela):
    r = amauta("grupos", "quitar-estudiante", "4to Grado A", "VALENTINA.ruiz@mail.com")
    assert r.codigo == 0, r.texto
    assert "valentina.ruiz@mail.com ya no está en el grupo 4to Grado A" in r.stderr
    assert _miembros(escuela) == {"lucas.fernandez@mail.com"}
    antes = escuela.instantanea()
    r = amauta("grupos", "quitar-estudiante", "4to Grado A", "valentina.ruiz@mail.com")
    assert r.codigo == 1 and "'valentina.ruiz@mail.com' no está en el grupo '4to Grado A'" in r.stderr
    r = amauta("grupos", "quitar-estudiante", "4to Grado A", "nadie@mail.com")
    assert r.codigo == 1 and "No existe un usuario" in r.stderr
    r = amauta("grupos", "quitar-estudiante", "5to Z", "lucas.fernandez@mail.com")
    assert r.codigo == 1 and "No existe el grupo '5to Z'" in r.stderr
    assert escuela.instantanea() == antes


def test_desactivar_y_activar(amauta, escuela):
    r = amauta("grupos", "desactivar", "4to Grado A")
    assert r.codigo == 0 and "Grupo desactivado: 4to Grado A" in r.stderr
    assert json.loads(amauta("grupos", "listar", "--inactivos", "-f", "json").stdout)[0]["nombre"] == "4to Grado A"
    antes = escuela.instantanea()
    r = amauta("grupos", "desactivar", "4to Grado A")
    assert r.codigo == 0 and "ya estaba inactivo" in r.stderr
    assert escuela.instantanea() == antes
    # Con el grupo inactivo, la educadora ya puede cambiar de rol.
    assert amauta("usuarios", "editar", "maria.gonzalez@edu.ar", "--rol", "ADMIN_ESCUELA").codigo == 0
    assert amauta("usuarios", "editar", "maria.gonzalez@edu.ar", "--rol", "EDUCADOR").codigo == 0
    r = amauta("grupos", "activar", "4to Grado A")
    assert r.codigo == 0 and "Grupo activado" in r.stderr


def test_activar_grupo_de_institucion_inactiva(amauta, escuela):
    assert amauta("instituciones", "desactivar", ESCUELA, "--con-grupos").codigo == 0
    antes = escuela.instantanea()
    r = amauta("grupos", "activar", "4to Grado A")
    assert r.codigo == 1 and f"La institución '{ESCUELA}' está inactiva" in r.stderr
    assert escuela.instantanea() == antes
