"""``amauta lecciones``: orden sin huecos, contenido validado por tipo y recursos, en ambos motores."""

from __future__ import annotations

import json

import pytest


def _orden(bd, slug: str) -> list[tuple[int, str]]:
    return bd.filas(
        """SELECT l.orden, l.titulo FROM "Leccion" l JOIN "Curso" c ON c.id = l."cursoId"
        WHERE c.slug = :s ORDER BY l.orden""", s=slug)


def _archivo(tmp_path, nombre: str, texto: str) -> str:
    p = tmp_path / nombre
    p.write_text(texto, encoding="utf-8")
    return str(p)


VIDEO = "url: https://videos.amauta.org/x.mp4\nduracionSegundos: 600\n"
TEXTO = "cuerpo: |\n  # Repaso\n  Un **texto** en Markdown.\n"
QUIZ = json.dumps({"puntajeAprobacion": 60, "intentosPermitidos": 2, "preguntas": [
    {"enunciado": "¿2 + 2?", "opciones": ["3", "4"], "respuesta": 1},
    {"enunciado": "Pares", "opciones": ["2", "3", "4"], "respuesta": [0, 2]},
]})
INTERACTIVO = "url: https://interactivos.amauta.org/x\ninstrucciones: Arrastrá los puntos.\n"
DESCARGABLE = "recursos:\n  - {nombre: Guía, tipo: pdf, url: 'https://a.org/g.pdf', tamano: 2048, disponibleOffline: true}\n"


@pytest.mark.rapida
def test_agregar_de_todos_los_tipos_insertar_mover_y_quitar_sin_huecos(cli_seed, bd_seed, tmp_path):
    c = "intro-fisica"
    for titulo, tipo, texto in (("Video", "video", VIDEO), ("Lectura", "TEXTO", TEXTO), ("Quiz", "quiz", QUIZ),
                                ("Simulador", "interactivo", INTERACTIVO), ("Guía", "descargable", DESCARGABLE)):
        r = cli_seed("lecciones", "agregar", c, "--titulo", titulo, "--tipo", tipo, "--contenido",
                     _archivo(tmp_path, f"{titulo}.yaml", texto))
        assert r.codigo == 0, r.texto
    assert [o for o, _ in _orden(bd_seed, c)] == list(range(1, 8))
    assert bd_seed.valor("""SELECT count(*) FROM "Recurso" WHERE nombre = 'Guía' AND "disponibleOffline" = :v""", v=True) == 1
    r = cli_seed("lecciones", "agregar", c, "--titulo", "Intro", "--tipo", "texto", "--posicion", "1",
                 "--contenido", _archivo(tmp_path, "i.yaml", TEXTO))
    assert r.codigo == 0 and "corridas" in r.stderr
    assert _orden(bd_seed, c)[:3] == [(1, "Intro"), (2, "El método científico"), (3, "Magnitudes y unidades")]
    assert cli_seed("lecciones", "mover", c, "Intro", "--a", "8").codigo == 0
    assert _orden(bd_seed, c)[-1] == (8, "Intro") and [o for o, _ in _orden(bd_seed, c)] == list(range(1, 9))
    assert cli_seed("lecciones", "mover", c, "8", "--a", "2").codigo == 0
    assert _orden(bd_seed, c)[1] == (2, "Intro")
    assert cli_seed("lecciones", "quitar", c, "1", "--si").codigo == 0
    assert _orden(bd_seed, c)[0] == (1, "Intro") and [o for o, _ in _orden(bd_seed, c)] == list(range(1, 8))


def test_mover_fuera_de_rango_no_cambia_nada(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("lecciones", "mover", "algebra-basica", "1", "--a", "5")
    assert r.codigo == 1 and "tiene 4 lecciones (de 1 a 4)" in r.stderr
    r = cli_seed("lecciones", "agregar", "algebra-basica", "--titulo", "X", "--tipo", "video", "--posicion", "9",
                 "--contenido", "-", input=VIDEO)
    assert r.codigo == 1 and "posicion" in r.stderr
    assert bd_seed.instantanea() == antes


@pytest.mark.parametrize(
    "tipo,contenido,problema",
    [
        ("quiz", {"preguntas": [{"enunciado": "a", "opciones": ["x", "y"], "respuesta": []}]},
         "preguntas[0].respuesta: ninguna opción marcada como correcta"),
        ("quiz", {"preguntas": [{"enunciado": "a", "opciones": ["x", "y"], "respuesta": 0},
                                {"enunciado": "b", "opciones": ["x"], "respuesta": 0},
                                {"enunciado": "c", "opciones": ["x", "y"], "respuesta": 5}]},
         "preguntas[1].opciones: debe ser una lista de al menos dos opciones"),
        ("quiz", {"preguntas": [{"enunciado": "c", "opciones": ["x", "y"], "respuesta": 5}]},
         "preguntas[0].respuesta: 5 no es una opción: hay 2"),
        ("quiz", {"preguntas": [{"enunciado": "c", "opciones": ["x", "y"]}]}, "preguntas[0].respuesta: falta"),
        ("video", {"urll": "https://a.org"}, "urll: clave desconocida"),
        ("video", {"url": "ftp://a.org/v"}, "url: 'ftp://a.org/v' no es una URL"),
        ("texto", {"cuerpo": ""}, "cuerpo: falta"),
        ("interactivo", {}, "url: falta"),
        ("descargable", {"recursos": [{"nombre": "G", "tipo": "zip", "url": "https://a.org/g"}]},
         "recursos[0].tipo: 'zip' no es un tipo de recurso"),
    ],
)
def test_contenido_invalido_se_informa_con_su_ruta_y_no_escribe(cli_seed, bd_seed, tipo, contenido, problema):
    antes = bd_seed.instantanea()
    r = cli_seed("lecciones", "agregar", "intro-fisica", "--titulo", "X", "--tipo", tipo, "--contenido", "-",
                 input=json.dumps(contenido))
    assert r.codigo == 1, r.texto
    assert problema in r.stderr
    assert bd_seed.instantanea() == antes


def test_tipo_desconocido_y_archivo_roto(cli_seed, bd_seed, tmp_path):
    antes = bd_seed.instantanea()
    r = cli_seed("lecciones", "agregar", "intro-fisica", "--titulo", "X", "--tipo", "podcast", "--contenido", "-", input=VIDEO)
    assert r.codigo == 1 and "tipo: 'podcast' no es un valor válido" in r.stderr and "DESCARGABLE" in r.stderr
    r = cli_seed("lecciones", "agregar", "intro-fisica", "--titulo", "X", "--tipo", "video", "--contenido",
                 _archivo(tmp_path, "roto.yaml", "url: [sin cerrar\n"))
    assert r.codigo == 1 and "no es YAML ni JSON válido" in r.stderr
    assert bd_seed.instantanea() == antes


def test_publicacion_y_recursos(cli_seed, bd_seed):
    c = "intro-fisica"
    assert cli_seed("lecciones", "agregar", c, "--titulo", "Guía", "--tipo", "descargable", "--contenido", "-", input="{}").codigo == 0
    r = cli_seed("lecciones", "publicar", c, "Guía")
    assert r.codigo == 1 and "no tiene recursos" in r.stderr
    assert cli_seed("lecciones", "recursos", "agregar", c, "3", "--nombre", "Apunte", "--tipo", "imagen",
                    "--url", "https://a.org/a.png", "--tamano", "1024", "--offline").codigo == 0
    assert bd_seed.valor("""SELECT tipo FROM "Recurso" WHERE nombre = 'Apunte'""") == "image"
    assert cli_seed("lecciones", "publicar", c, "3").codigo == 0
    r = cli_seed("lecciones", "recursos", "quitar", c, "3", "Apunte")
    assert r.codigo == 1 and "único recurso" in r.stderr
    lista = json.loads(cli_seed("lecciones", "recursos", "listar", c, "--formato", "json").stdout)
    assert [(x["nombre"], x["tamano"], x["disponibleOffline"]) for x in lista] == [("Apunte", 1024, True)]
    r = cli_seed("lecciones", "recursos", "agregar", c, "3", "--nombre", "X", "--tipo", "pdf", "--url", "no-url")
    assert r.codigo == 1 and "url" in r.stderr


def test_no_se_quita_una_leccion_con_progreso_ni_la_ultima_publicada(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("lecciones", "quitar", "algebra-basica", "1", "--si")
    assert r.codigo == 1 and "tiene progreso" in r.stderr
    assert bd_seed.instantanea() == antes
    for n in ("1", "2"):
        assert cli_seed("lecciones", "despublicar", "geometria-plana", n).codigo == 0
    antes = bd_seed.instantanea()
    r = cli_seed("lecciones", "despublicar", "geometria-plana", "3")
    assert r.codigo == 1 and "única publicada" in r.stderr
    assert bd_seed.instantanea() == antes


def test_despublicar_recalcula_las_inscripciones(cli_seed, bd_seed):
    # Geometría: Lucas completó 1 y 2 de 3 (66 %); sin la 3 publicada, completó 2 de 2.
    r = cli_seed("lecciones", "despublicar", "geometria-plana", "3")
    assert r.codigo == 0 and "recalculado" in r.stderr
    assert bd_seed.valor(
        """SELECT i.estado FROM "Inscripcion" i JOIN "Usuario" u ON u.id = i."usuarioId"
        JOIN "Curso" c ON c.id = i."cursoId" WHERE u.email = 'lucas.fernandez@mail.com' AND c.slug = 'geometria-plana'"""
    ) == "COMPLETADO"
    assert cli_seed("lecciones", "publicar", "geometria-plana", "3").codigo == 0
    assert bd_seed.filas(
        """SELECT i.estado, i.progreso, i."completadoEn" FROM "Inscripcion" i JOIN "Usuario" u ON u.id = i."usuarioId"
        JOIN "Curso" c ON c.id = i."cursoId" WHERE u.email = 'lucas.fernandez@mail.com' AND c.slug = 'geometria-plana'"""
    ) == [("ACTIVO", 66, None)]


@pytest.mark.parametrize("formato", ["tabla", "json", "csv", "excel"])
def test_listar_y_ver_en_todos_los_formatos(cli_seed, formato):
    for args in (("lecciones", "listar", "algebra-basica"), ("lecciones", "ver", "algebra-basica", "4"),
                 ("lecciones", "recursos", "listar", "algebra-basica")):
        r = cli_seed(*args, "--formato", formato)
        assert r.codigo == 0, r.texto
