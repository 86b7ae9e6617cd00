"""``amauta instituciones``: alta, listado con conteos, ficha, edición y baja lógica."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fabrica import ESCUELA


def test_crear_con_tipo_sin_distinguir_mayusculas(amauta, escuela):
    r = amauta("instituciones", "crear", "--nombre", " Universidad del Sur ", "--tipo", "universidad",
               "--email", "Info@UNS.edu.ar", "--telefono", "+54 291 459-5000")
    assert r.codigo == 0, r.texto
    assert "Institución creada: Universidad del Sur (UNIVERSIDAD)" in r.stderr
    fila = escuela.filas('SELECT nombre, tipo, email, telefono, activa, "updatedAt" FROM "Institucion" WHERE nombre = :n', n="Universidad del Sur")
    assert fila[0][:4] == ("Universidad del Sur", "UNIVERSIDAD", "info@uns.edu.ar", "+54 291 459-5000")
    assert fila[0][4] and fila[0][5]
    r = amauta("instituciones", "crear", "--nombre", "Centro Oficios", "--tipo", "centro formacion")
    assert r.codigo == 0 and "(CENTRO_FORMACION)" in r.stderr


@pytest.mark.parametrize(
    "args, mensaje",
    [
        (["--nombre", "escuela nº 42 bernardino RIVADAVIA", "--tipo", "ESCUELA"], f"Ya existe la institución '{ESCUELA}'"),
        (["--nombre", "Liceo", "--tipo", "liceo"], "tipo: 'liceo' no es un valor válido (ESCUELA, COLEGIO, UNIVERSIDAD, CENTRO_FORMACION)"),
        (["--nombre", "X", "--tipo", "COLEGIO", "--email", "sin-arroba"], "email: 'sin-arroba' no es un email válido"),
        (["--nombre", "  ", "--tipo", "COLEGIO"], "nombre: no puede estar vacío"),
    ],
)
def test_crear_rechaza_sin_escribir(amauta, escuela, args, mensaje):
    antes = escuela.instantanea()
    r = amauta("instituciones", "crear", *args)
    assert r.codigo == 1, r.texto
    assert mensaje in r.stderr
    assert escuela.instantanea() == antes


@pytest.mark.rapida
def test_listar_con_conteos_en_cada_formato(amauta, escuela):
    r = amauta("instituciones", "listar", "--formato", "json")
    assert r.codigo == 0, r.texto
    datos = {d["nombre"]: d for d in json.loads(r.stdout)}
    assert datos[ESCUELA]["grupos"] == 1 and datos[ESCUELA]["estudiantes"] == 2 and datos[ESCUELA]["educadores"] == 1
    assert datos["Colegio Cerrado"]["activa"] is False and datos["Colegio Cerrado"]["grupos"] == 0
    filas = list(csv.DictReader(io.StringIO(amauta("instituciones", "listar", "--activas", "-f", "csv").stdout)))
    assert [f["nombre"] for f in filas] == [ESCUELA]
    assert filas[0]["estudiantes"] == "2"
    r = amauta("instituciones", "listar", "--inactivas")
    assert "Colegio Cerrado" in r.stdout and ESCUELA not in r.stdout
    r = amauta("instituciones", "listar", "--tipo", "colegio", "-f", "json")
    assert [d["nombre"] for d in json.loads(r.stdout)] == ["Colegio Cerrado"]
    r = amauta("instituciones", "listar", "--buscar", "RIVADAVIA", "-f", "json")
    assert [d["nombre"] for d in json.loads(r.stdout)] == [ESCUELA]
    r = amauta("instituciones", "listar", "--activas", "--inactivas")
    assert r.codigo == 2


def test_ver_con_grupos_y_conteos(amauta):
    r = amauta("instituciones", "ver", "escuela no 42 bernardino rivadavia", "--formato", "json")
    assert r.codigo == 0, r.texto
    d = json.loads(r.stdout)
    assert d["grupos_activos"] == 1 and d["grupos_inactivos"] == 0
    assert d["estudiantes"] == 2 and d["educadores"] == 1
    assert [(g["nombre"], g["educador"], g["estudiantes"]) for g in d["grupos"]] == [
        ("4to Grado A", "maria.gonzalez@edu.ar", 2)
    ]
    r = amauta("instituciones", "ver", d["id"])
    assert r.codigo == 0 and "4to Grado A" in r.stdout and "Av. San Martín 1234" in r.stdout
    r = amauta("instituciones", "ver", d["id"], "--formato", "csv")
    assert r.stdout.splitlines()[0] == "nombre,grado,seccion,educador,estudiantes,activo,id"
    r = amauta("instituciones", "ver", "Escuela Inexistente")
    assert r.codigo == 1 and "No existe la institución 'Escuela Inexistente'" in r.stderr


def test_editar(amauta, escuela):
    r = amauta("instituciones", "editar", ESCUELA, "--nombre", "Escuela Nº 42", "--tipo", "colegio", "--direccion", "")
    assert r.codigo == 0, r.texto
    assert "tipo: 'ESCUELA' → 'COLEGIO'" in r.stderr and "direccion: 'Av. San Martín 1234, CABA' → (vacío)" in r.stderr
    assert escuela.filas('SELECT nombre, tipo, direccion FROM "Institucion" WHERE nombre = :n', n="Escuela Nº 42") == [
        ("Escuela Nº 42", "COLEGIO", None)
    ]
    antes = escuela.instantanea()
    for args, mensaje in (
        (["--nombre", "colegio cerrado"], "Ya existe la institución 'Colegio Cerrado'"),
        (["--tipo", "jardin"], "tipo: 'jardin' no es un valor válido"),
        ([], "Nada que cambiar"),
    ):
        r = amauta("instituciones", "editar", "Escuela Nº 42", *args)
        assert r.codigo == 1 and mensaje in r.stderr, r.texto
    assert escuela.instantanea() == antes
    r = amauta("instituciones", "editar", "Escuela Nº 42", "--tipo", "COLEGIO")
    assert r.codigo == 0 and "Sin cambios" in r.stderr


def test_desactivar_con_grupos_activos(amauta, escuela):
    antes = escuela.instantanea()
    r = amauta("instituciones", "desactivar", ESCUELA)
    assert r.codigo == 1
    assert "tiene 1 grupo activo (4to Grado A)" in r.stderr and "--con-grupos" in r.stderr
    assert escuela.instantanea() == antes
    r = amauta("instituciones", "desactivar", ESCUELA, "--con-grupos")
    assert r.codigo == 0, r.texto
    assert "También se desactivó 1 grupo: 4to Grado A" in r.stderr
    assert escuela.filas('SELECT activa FROM "Institucion" WHERE nombre = :n', n=ESCUELA) in ([(False,)], [(0,)])
    assert escuela.filas('SELECT activo FROM "Grupo"') in ([(False,)], [(0,)])
    antes = escuela.instantanea()
    r = amauta("instituciones", "desactivar", ESCUELA)
    assert r.codigo == 0 and "ya estaba inactiva" in r.stderr
    assert escuela.instantanea() == antes
    r = amauta("instituciones", "activar", ESCUELA)
    assert r.codigo == 0 and "Institución activada" in r.stderr
    assert escuela.filas('SELECT activo FROM "Grupo"') in ([(False,)], [(0,)])  # los grupos quedan como estaban


def test_desactivar_sin_grupos(amauta, escuela):
    amauta("instituciones", "crear", "--nombre", "Nueva", "--tipo", "escuela")
    r = amauta("instituciones", "desactivar", "nueva")
    assert r.codigo == 0 and "Institución desactivada: Nueva" in r.stderr


def test_una_parte_del_nombre_alcanza_si_es_de_una_sola(amauta, escuela):
    r = amauta("instituciones", "ver", "escuela no 42", "-f", "json")
    assert r.codigo == 0, r.texto
    assert json.loads(r.stdout)["nombre"] == ESCUELA
    r = amauta("grupos", "listar", "--institucion", "Rivadavia", "-f", "json")
    assert [g["nombre"] for g in json.loads(r.stdout)] == ["4to Grado A"]
    # Si la parte aparece en varias, se pide el nombre completo (nunca se elige una al azar).
    assert amauta("instituciones", "crear", "--nombre", "Escuela Técnica 5", "--tipo", "escuela").codigo == 0
    antes = escuela.instantanea()
    r = amauta("grupos", "crear", "-i", "escuela", "-n", "1ro A", "-e", "carlos.lopez@edu.ar")
    assert r.codigo == 1
    assert f"'escuela' coincide con varias instituciones ('{ESCUELA}', 'Escuela Técnica 5')" in r.stderr
    assert escuela.instantanea() == antes
    r = amauta("instituciones", "ver", "100%")
    assert r.codigo == 1 and "No existe la institución '100%'" in r.stderr
