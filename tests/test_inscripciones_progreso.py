"""``amauta inscripciones``, ``progreso`` y ``comunicados``, en ambos motores."""

from __future__ import annotations

import json

import pytest


def _json(r):
    assert r.codigo == 0, r.texto
    return json.loads(r.stdout)


def _inscripcion(bd, email: str, slug: str):
    return bd.filas(
        """SELECT i.estado, i.progreso FROM "Inscripcion" i JOIN "Usuario" u ON u.id = i."usuarioId"
        JOIN "Curso" c ON c.id = i."cursoId" WHERE u.email = :e AND c.slug = :s""", e=email, s=slug)


def test_reporte_del_seed_tras_recalcular(cli_seed, bd_seed):
    bd_seed.ejecutar('UPDATE "Inscripcion" SET progreso = 0, estado = \'ACTIVO\', "completadoEn" = NULL')
    r = cli_seed("progreso", "recalcular")
    assert r.codigo == 0 and "5" in r.stderr and "4 cambiadas" in r.stderr
    assert "0 cambiadas" in cli_seed("progreso", "recalcular").stderr
    algebra = {f["email"]: f for f in _json(cli_seed("progreso", "reporte", "--curso", "algebra-basica", "--formato", "json"))}
    geometria = {f["email"]: f for f in _json(cli_seed("progreso", "reporte", "--curso", "geometria-plana", "--formato", "json"))}
    assert {e: (f["progreso"], f["estado"]) for e, f in algebra.items()} == {
        "lucas.fernandez@mail.com": (100, "COMPLETADO"),
        "valentina.ruiz@mail.com": (50, "ACTIVO"),
        "mateo.garcia@mail.com": (0, "ACTIVO"),
    }
    assert algebra["lucas.fernandez@mail.com"]["mejor_puntaje"] == 85
    assert algebra["lucas.fernandez@mail.com"]["completadoEn"] is not None
    assert (algebra["valentina.ruiz@mail.com"]["completadas"], algebra["valentina.ruiz@mail.com"]["publicadas"]) == (2, 4)
    assert {e: f["progreso"] for e, f in geometria.items()} == {"lucas.fernandez@mail.com": 66, "valentina.ruiz@mail.com": 33}
    lucas = _json(cli_seed("progreso", "reporte", "--estudiante", "lucas.fernandez@mail.com", "--formato", "json"))
    assert [(f["curso"], f["progreso"]) for f in lucas] == [("algebra-basica", 100), ("geometria-plana", 66)]


def test_inscribir_un_grupo_entero_sin_duplicar(cli_seed, bd_seed):
    r = cli_seed("inscripciones", "crear", "--curso", "geometria-plana", "--grupo", "4to Grado A")
    assert r.codigo == 0, r.texto
    assert "0 estudiantes inscriptos" in r.stderr and "2 ya estaban" in r.stderr
    assert cli_seed("inscripciones", "crear", "--curso", "algebra-basica", "--estudiante", "mateo.garcia@mail.com").codigo == 0
    assert bd_seed.contar("Inscripcion") == 5
    # Mateo entra al grupo: la inscripción del grupo lo suma a él solo.
    assert cli_seed("grupos", "agregar-estudiantes", "4to Grado A", "mateo.garcia@mail.com").codigo == 0
    r = cli_seed("inscripciones", "crear", "--curso", "geometria-plana", "--grupo", "4to Grado A")
    assert r.codigo == 0 and "1 estudiante inscripto" in r.stderr
    assert _inscripcion(bd_seed, "mateo.garcia@mail.com", "geometria-plana") == [("ACTIVO", 0)]


def test_inscripcion_rechazada_no_escribe(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("inscripciones", "crear", "--curso", "intro-fisica", "--estudiante", "mateo.garcia@mail.com")
    assert r.codigo == 1 and "BORRADOR" in r.stderr
    r = cli_seed("inscripciones", "crear", "--curso", "algebra-basica", "--estudiante", "maria.gonzalez@edu.ar",
                 "--estudiante", "nadie@mail.com")
    assert r.codigo == 1 and "rol EDUCADOR" in r.stderr and "nadie@mail.com" in r.stderr
    assert cli_seed("usuarios", "desactivar", "mateo.garcia@mail.com").codigo == 0
    antes = bd_seed.instantanea()
    r = cli_seed("inscripciones", "crear", "--curso", "geometria-plana", "--estudiante", "mateo.garcia@mail.com")
    assert r.codigo == 1 and "inactivo" in r.stderr
    r = cli_seed("inscripciones", "crear", "--curso", "geometria-plana")
    assert r.codigo == 2
    assert bd_seed.instantanea() == antes


@pytest.mark.rapida
def test_registrar_progreso_y_quiz(cli_seed, bd_seed):
    v = "valentina.ruiz@mail.com"
    r = cli_seed("progreso", "registrar", "--estudiante", v, "--leccion", "algebra-basica/3", "--completado")
    assert r.codigo == 0 and "75 %" in r.stderr
    r = cli_seed("progreso", "registrar", "--estudiante", v, "--curso", "algebra-basica", "--leccion", "4", "--puntaje", "40")
    assert r.codigo == 0 and "1 intento" in r.stderr
    assert _inscripcion(bd_seed, v, "algebra-basica") == [("ACTIVO", 75)]
    r = cli_seed("progreso", "registrar", "--estudiante", v, "--leccion", "algebra-basica/4", "--puntaje", "72,5")
    assert r.codigo == 0 and "100 %" in r.stderr and "COMPLETADO" in r.stderr
    assert bd_seed.filas(
        """SELECT p.intentos, p."mejorPuntaje", p.completado FROM "Progreso" p JOIN "Usuario" u ON u.id = p."usuarioId"
        JOIN "Leccion" l ON l.id = p."leccionId" WHERE u.email = :e AND l.titulo = 'Evaluación inicial'""", e=v
    ) == [(2, 72.5, True)]
    assert _inscripcion(bd_seed, v, "algebra-basica") == [("COMPLETADO", 100)]
    # Un intento peor no baja el mejor; el quiz permite 3 intentos.
    assert cli_seed("progreso", "registrar", "--estudiante", v, "--leccion", "algebra-basica/4", "--puntaje", "10").codigo == 0
    antes = bd_seed.instantanea()
    r = cli_seed("progreso", "registrar", "--estudiante", v, "--leccion", "algebra-basica/4", "--puntaje", "99")
    assert r.codigo == 1 and "3 intentos permitidos" in r.stderr
    assert bd_seed.instantanea() == antes


def test_registrar_rechazos_no_escriben(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    casos = [
        (["--estudiante", "mateo.garcia@mail.com", "--leccion", "geometria-plana/1"], "no está inscripto"),
        (["--estudiante", "lucas.fernandez@mail.com", "--leccion", "intro-fisica/1"], "BORRADOR"),
        (["--estudiante", "lucas.fernandez@mail.com", "--leccion", "geometria-plana/1", "--puntaje", "50"], "solo los QUIZ"),
        (["--estudiante", "lucas.fernandez@mail.com", "--leccion", "geometria-plana/1", "--porcentaje", "150"], "porcentaje"),
        (["--estudiante", "lucas.fernandez@mail.com", "--leccion", "geometria-plana/9"], "no tiene la lección '9'"),
        (["--estudiante", "maria.gonzalez@edu.ar", "--leccion", "geometria-plana/1"], "no ESTUDIANTE"),
    ]
    for args, mensaje in casos:
        r = cli_seed("progreso", "registrar", *args)
        assert r.codigo == 1 and mensaje in r.stderr, (args, r.texto)
    assert bd_seed.instantanea() == antes


def test_baja_y_reactivar(cli_seed, bd_seed):
    assert cli_seed("inscripciones", "baja", "--curso", "geometria-plana", "--estudiante", "valentina.ruiz@mail.com").codigo == 0
    assert _inscripcion(bd_seed, "valentina.ruiz@mail.com", "geometria-plana") == [("ABANDONADO", 33)]
    r = cli_seed("progreso", "registrar", "--estudiante", "valentina.ruiz@mail.com", "--leccion", "geometria-plana/2")
    assert r.codigo == 1 and "reactívela" in r.stderr
    assert "0 cambiadas" in cli_seed("progreso", "recalcular", "--curso", "geometria-plana").stderr
    assert cli_seed("inscripciones", "reactivar", "--curso", "geometria-plana", "--estudiante", "valentina.ruiz@mail.com").codigo == 0
    assert _inscripcion(bd_seed, "valentina.ruiz@mail.com", "geometria-plana") == [("ACTIVO", 33)]
    r = cli_seed("inscripciones", "baja", "--curso", "algebra-basica", "--estudiante", "lucas.fernandez@mail.com")
    assert r.codigo == 1 and "COMPLETADO" in r.stderr


@pytest.mark.parametrize("formato", ["tabla", "json", "csv", "excel"])
def test_listados_en_todos_los_formatos(cli_seed, formato):
    for args in (("inscripciones", "listar", "--curso", "algebra-basica"),
                 ("inscripciones", "listar", "--estudiante", "lucas.fernandez@mail.com"),
                 ("progreso", "reporte", "--curso", "algebra-basica"),
                 ("comunicados", "listar")):
        r = cli_seed(*args, "--formato", formato)
        assert r.codigo == 0, r.texto
        assert r.stdout.strip()


# --- Comunicados ---------------------------------------------------------------------------------------
def test_publicar_listar_urgente_primero_y_ver(cli_seed, bd_seed, tmp_path):
    texto = tmp_path / "aviso.md"
    texto.write_text("# Suspensión\n\nMañana **no hay clases** por desinfección.\n", encoding="utf-8")
    r = cli_seed("comunicados", "publicar", "--institucion", "Escuela Nº 42", "--titulo", "Sin clases mañana",
                 "--tipo", "urgente", "--prioridad", "urgente", "--autor", "director@escuela.edu.ar", "--archivo", str(texto))
    assert r.codigo == 0, r.texto
    r = cli_seed("comunicados", "publicar", "--institucion", "Escuela Nº 42", "--titulo", "Acto del 25 de Mayo",
                 "--tipo", "evento", "--autor", "maria.gonzalez@edu.ar", input="Los esperamos a las 10.\n")
    assert r.codigo == 0, r.texto
    lista = _json(cli_seed("comunicados", "listar", "--formato", "json"))
    assert [c["titulo"] for c in lista][0] == "Sin clases mañana"
    assert {c["titulo"] for c in lista} == {"Sin clases mañana", "Acto del 25 de Mayo", "Bienvenidos al ciclo lectivo 2024"}
    assert [c["titulo"] for c in _json(cli_seed("comunicados", "listar", "--tipo", "evento", "--formato", "json"))] == ["Acto del 25 de Mayo"]
    solo_nuevos = _json(cli_seed("comunicados", "listar", "--desde", "01/01/2025", "--formato", "json"))
    assert "Bienvenidos al ciclo lectivo 2024" not in {c["titulo"] for c in solo_nuevos}
    ficha = _json(cli_seed("comunicados", "ver", lista[0]["id"], "--formato", "json"))
    assert "no hay clases" in ficha["contenido"] and ficha["prioridad"] == "URGENTE"


def test_comunicado_invalido_no_escribe(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("comunicados", "publicar", "--institucion", "Escuela Nº 42", "--titulo", "X", "--tipo", "fiesta",
                 "--prioridad", "maxima", "--autor", "director@escuela.edu.ar", input="")
    assert r.codigo == 1 and "tipo" in r.stderr and "prioridad" in r.stderr and "vacío" in r.stderr
    r = cli_seed("comunicados", "publicar", "--institucion", "Escuela Nº 42", "--titulo", "X", "--tipo", "general",
                 "--autor", "lucas.fernandez@mail.com", input="Hola")
    assert r.codigo == 1 and "ESTUDIANTE" in r.stderr
    assert bd_seed.instantanea() == antes
