"""``amauta categorias``, ``cursos`` (ciclo de vida y búsqueda) y la migración 0004, en ambos motores."""

from __future__ import annotations

import json

import pytest

from conftest import invocar


def _json(r):
    assert r.codigo == 0, r.texto
    return json.loads(r.stdout)


# --- Los datos del seed, como los lista el diseño ---------------------------------------------------
def test_el_seed_se_ve_como_en_el_diseno(cli_seed):
    cursos = _json(cli_seed("cursos", "listar", "--formato", "json"))
    por_slug = {c["slug"]: c for c in cursos}
    assert set(por_slug) == {"algebra-basica", "geometria-plana", "intro-fisica"}
    assert por_slug["algebra-basica"]["estado"] == "PUBLICADO"
    assert por_slug["intro-fisica"]["estado"] == "BORRADOR"
    assert (por_slug["geometria-plana"]["nivel"], por_slug["geometria-plana"]["duracion"]) == ("INTERMEDIO", 240)
    assert [c["lecciones"] for c in cursos] == [4, 3, 2]  # Álgebra, Geometría, Introducción
    ver = _json(cli_seed("cursos", "ver", "geometria-plana", "--formato", "json"))
    assert [(l["orden"], l["titulo"], l["tipo"], l["duracion"], l["publicada"]) for l in ver["lecciones"]] == [
        (1, "Puntos, rectas y planos", "VIDEO", 20, True),
        (2, "Ángulos y su clasificación", "TEXTO", 25, True),
        (3, "Triángulos", "INTERACTIVO", 30, True),
    ]
    cats = _json(cli_seed("categorias", "listar", "--formato", "json"))
    assert {c["slug"]: c["cursos"] for c in cats}["matematicas"] == 2
    assert len(cats) == 6


@pytest.mark.parametrize("formato", ["tabla", "json", "csv", "excel"])
def test_listados_en_todos_los_formatos(cli_seed, formato):
    for args in (("cursos", "listar"), ("categorias", "listar"), ("cursos", "buscar", "algebra"),
                 ("cursos", "ver", "algebra-basica")):
        r = cli_seed(*args, "--formato", formato)
        assert r.codigo == 0, r.texto
        assert "lgebra" in r.stdout or "Matem" in r.stdout


# --- Categorías ------------------------------------------------------------------------------------
def test_categoria_slug_sin_acentos_y_unico(cli, bd):
    assert cli("categorias", "crear", "--nombre", "Educación Física", "--icono", "ball").codigo == 0
    assert bd.valor('SELECT slug FROM "Categoria"') == "educacion-fisica"
    r = cli("categorias", "crear", "--nombre", "educacion fisica")
    assert r.codigo == 1 and "ya existe la categoría 'Educación Física'" in r.stderr
    assert cli("categorias", "crear", "--nombre", "Educación—Física").codigo == 0  # otro nombre, mismo slug base
    assert sorted(bd.filas('SELECT slug FROM "Categoria"')) == [("educacion-fisica",), ("educacion-fisica-2",)]
    r = cli("categorias", "editar", "educacion-fisica-2", "--slug", "Mal Slug")
    assert r.codigo == 1 and "slug" in r.stderr
    r = cli("categorias", "editar", "educacion-fisica-2", "--slug", "deportes", "--descripcion", "Juegos")
    assert r.codigo == 0 and "deportes" in r.stderr
    assert _json(cli("categorias", "ver", "deportes", "--formato", "json"))["descripcion"] == "Juegos"


# --- Cursos: alta, edición y ciclo de vida ------------------------------------------------------------
@pytest.mark.rapida
def test_crear_curso_valida_y_no_escribe_con_errores(cli_seed, bd_seed):
    antes = bd_seed.instantanea()
    r = cli_seed("cursos", "crear", "--titulo", "X", "--descripcion", "Y", "--educador", "lucas.fernandez@mail.com",
                 "--categoria", "matematicas", "--nivel", "principiante")
    assert r.codigo == 1 and "rol ESTUDIANTE" in r.stderr
    r = cli_seed("cursos", "crear", "--titulo", "X", "--descripcion", "Y", "--educador", "maria.gonzalez@edu.ar",
                 "--categoria", "matematicas", "--nivel", "experto", "--duracion", "0")
    assert r.codigo == 1 and "nivel" in r.stderr and "duracion" in r.stderr
    r = cli_seed("cursos", "crear", "--titulo", "X", "--descripcion", "Y", "--educador", "maria.gonzalez@edu.ar",
                 "--categoria", "no-existe", "--nivel", "avanzado")
    assert r.codigo == 1 and "categoría 'no-existe'" in r.stderr
    assert bd_seed.instantanea() == antes


def test_educador_inactivo_no_crea_cursos(cli_seed):
    assert cli_seed("usuarios", "desactivar", "laura.silva@edu.ar").codigo == 0
    r = cli_seed("cursos", "crear", "--titulo", "Poesía", "--descripcion", "Versos", "--educador", "laura.silva@edu.ar",
                 "--categoria", "lengua-literatura", "--nivel", "principiante")
    assert r.codigo == 1 and "inactivo" in r.stderr


def test_slug_unico_y_ciclo_de_vida_completo(cli_seed, bd_seed):
    base = ["--descripcion", "Repaso", "--educador", "maria.gonzalez@edu.ar", "--categoria", "Matemáticas", "--nivel", "avanzado"]
    assert cli_seed("cursos", "crear", "--titulo", "Geometría Plana", *base).codigo == 0
    assert bd_seed.valor("""SELECT estado FROM "Curso" WHERE slug = 'geometria-plana-2'""") == "BORRADOR"
    r = cli_seed("cursos", "publicar", "geometria-plana-2")
    assert r.codigo == 1
    assert "está en BORRADOR" in r.stderr and "REVISION" in r.stderr and "enviar-revision" in r.stderr
    r = cli_seed("cursos", "enviar-revision", "geometria-plana-2")
    assert r.codigo == 1 and "no tiene lecciones" in r.stderr
    # Con una lección sin publicar: a revisión sí, publicar no (con el motivo).
    bd_seed.ejecutar(
        """INSERT INTO "Leccion" (id, titulo, orden, "cursoId", tipo, contenido, publicada, "createdAt", "updatedAt")
        SELECT 'lx', 'Repaso', 1, id, 'TEXTO', '{"cuerpo": "hola"}', false, "createdAt", "createdAt"
        FROM "Curso" WHERE slug = 'geometria-plana-2'"""
    )
    assert cli_seed("cursos", "enviar-revision", "geometria-plana-2").codigo == 0
    r = cli_seed("cursos", "publicar", "geometria-plana-2")
    assert r.codigo == 1 and "su única lección no está publicada" in r.stderr
    assert bd_seed.valor("""SELECT "publicadoEn" FROM "Curso" WHERE slug = 'geometria-plana-2'""") is None
    assert cli_seed("lecciones", "publicar", "geometria-plana-2", "1").codigo == 0
    r = cli_seed("cursos", "publicar", "geometria-plana-2")
    assert r.codigo == 0 and "REVISION → PUBLICADO" in r.stderr
    assert bd_seed.valor("""SELECT "publicadoEn" FROM "Curso" WHERE slug = 'geometria-plana-2'""") is not None
    assert cli_seed("cursos", "archivar", "geometria-plana-2").codigo == 0
    r = cli_seed("cursos", "editar", "geometria-plana-2", "--titulo", "Otro")
    assert r.codigo == 1 and "ARCHIVADO" in r.stderr
    r = cli_seed("inscripciones", "crear", "--curso", "geometria-plana-2", "--estudiante", "mateo.garcia@mail.com")
    assert r.codigo == 1 and "ARCHIVADO" in r.stderr
    assert cli_seed("cursos", "reabrir", "geometria-plana-2").codigo == 0
    assert bd_seed.filas("""SELECT estado, "publicadoEn" FROM "Curso" WHERE slug = 'geometria-plana-2'""") == [("BORRADOR", None)]


def test_editar_lista_los_cambios(cli_seed, bd_seed):
    r = cli_seed("cursos", "editar", "intro-fisica", "--nivel", "intermedio", "--duracion", "210")
    assert r.codigo == 0 and "nivel" in r.stderr and "210" in r.stderr
    assert bd_seed.filas("""SELECT nivel, duracion FROM "Curso" WHERE slug = 'intro-fisica'""") == [("INTERMEDIO", 210)]
    r = cli_seed("cursos", "editar", "intro-fisica", "--slug", "algebra-basica")
    assert r.codigo == 1 and "ya es el de otro curso" in r.stderr


# --- Búsqueda -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "texto,esperado",
    [("geometria", "geometria-plana"), ("GEOMETRÍA", "geometria-plana"), ("triangulos", "geometria-plana"),
     ("triángulo", "geometria-plana"), ("algebra basica", "algebra-basica"), ("variables", "algebra-basica")],
)
def test_buscar_sin_acentos_con_raices_y_lecciones(cli_seed, texto, esperado):
    r = _json(cli_seed("cursos", "buscar", texto, "--formato", "json"))
    assert [x["slug"] for x in r] == [esperado]
    assert "«" in r[0]["fragmento"]


@pytest.mark.rapida
def test_buscar_solo_publicados_salvo_todos(cli_seed):
    assert _json(cli_seed("cursos", "buscar", "metodo cientifico", "--formato", "json")) == []
    r = _json(cli_seed("cursos", "buscar", "metodo cientifico", "--todos", "--formato", "json"))
    assert [x["slug"] for x in r] == ["intro-fisica"] and r[0]["estado"] == "BORRADOR"
    assert "Lección 1" in r[0]["fragmento"]


def test_buscar_sigue_los_cambios_de_cursos_y_lecciones(cli_seed, bd_seed):
    """El índice lo mantienen los disparadores, escriba quien escriba (aquí, SQL directo como la web)."""
    bd_seed.ejecutar("""UPDATE "Curso" SET titulo = 'Números y Fracciones' WHERE slug = 'algebra-basica'""")
    assert [x["slug"] for x in _json(cli_seed("cursos", "buscar", "fracciones", "--formato", "json"))] == ["algebra-basica"]
    bd_seed.ejecutar("""UPDATE "Leccion" SET titulo = 'Polígonos regulares' WHERE titulo = 'Triángulos'""")
    assert _json(cli_seed("cursos", "buscar", "poligono", "--formato", "json"))[0]["slug"] == "geometria-plana"
    bd_seed.ejecutar("""DELETE FROM "Leccion" WHERE titulo = 'Polígonos regulares'""")
    assert _json(cli_seed("cursos", "buscar", "poligonos", "--formato", "json")) == []
    assert cli_seed("db", "verificar").codigo == 0


def test_buscar_sigue_el_estado_escriba_quien_escriba(cli_seed, bd_seed):
    """El índice sabe qué cursos están publicados (0007): un cambio de estado por SQL directo
    (como la web) o por amauta se ve en la búsqueda por defecto al instante."""
    assert _json(cli_seed("cursos", "buscar", "metodo cientifico", "--formato", "json")) == []
    bd_seed.ejecutar("""UPDATE "Curso" SET estado = 'PUBLICADO' WHERE slug = 'intro-fisica'""")
    r = _json(cli_seed("cursos", "buscar", "metodo cientifico", "--formato", "json"))
    assert [(x["slug"], x["estado"]) for x in r] == [("intro-fisica", "PUBLICADO")]
    assert cli_seed("cursos", "archivar", "intro-fisica").codigo == 0
    assert _json(cli_seed("cursos", "buscar", "metodo cientifico", "--formato", "json")) == []
    assert cli_seed("db", "verificar").codigo == 0


def test_buscar_pagina_por_rango_y_titulo_sin_repetir_ni_saltear(cli_seed, bd_seed):
    """Con muchos empates de rango, las páginas siguen el orden (rango, título) completo."""
    for i in range(7):
        assert cli_seed(
            "cursos", "crear", "--titulo", f"Geometría {'ZYXWVUT'[i]} {i}", "--descripcion", "Geometría",
            "--educador", "maria.gonzalez@edu.ar", "--categoria", "matematicas", "--nivel", "PRINCIPIANTE",
        ).codigo == 0
    todos = [x["slug"] for x in _json(cli_seed("cursos", "buscar", "geometria", "--todos", "--limite", "50", "--formato", "json"))]
    assert len(todos) == 8
    paginas = []
    for p in (1, 2, 3):
        paginas += [x["slug"] for x in _json(cli_seed(
            "cursos", "buscar", "geometria", "--todos", "--limite", "3", "--pagina", str(p), "--formato", "json"))]
    assert paginas == todos


def test_buscar_rechaza_texto_sin_contenido(cli_seed):
    r = cli_seed("cursos", "buscar", "de la")
    assert r.codigo == 1 and "demasiado comunes" in r.stderr


def test_verificar_reconoce_el_indice_propio_y_avisa_si_falta(cli_seed, bd_seed):
    assert cli_seed("db", "verificar").codigo == 0
    bd_seed.ejecutar('DROP TRIGGER "_amauta_busqueda_leccion_insert"' + (' ON "Leccion"' if bd_seed.motor == "postgresql" else ""))
    r = cli_seed("db", "verificar")
    assert r.codigo == 1 and "_amauta_busqueda_leccion_insert" in r.texto


def test_reindexar_repara_cursos_sin_documento(cli_seed, bd_seed):
    if bd_seed.motor == "postgresql":
        bd_seed.ejecutar('DELETE FROM "_amauta_busqueda_curso"')
    else:
        bd_seed.ejecutar('DELETE FROM "_amauta_busqueda_fts"')
        bd_seed.ejecutar('DELETE FROM "_amauta_busqueda_curso"')
    r = cli_seed("db", "verificar")
    assert r.codigo == 1 and "cursos no están en el índice" in r.texto
    assert _json(cli_seed("cursos", "buscar", "geometria", "--formato", "json")) == []
    assert cli_seed("cursos", "reindexar").codigo == 0
    assert [x["slug"] for x in _json(cli_seed("cursos", "buscar", "geometria", "--formato", "json"))] == ["geometria-plana"]
    assert cli_seed("db", "verificar").codigo == 0


def test_migracion_0004_baja_y_sube_con_datos(cli_seed, bd_seed):
    r = cli_seed("db", "rollback", "--revision", "0003", "--si", "--sin-respaldo")
    assert r.codigo == 0, r.texto
    tablas = {t for (t,) in bd_seed.filas(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'" if bd_seed.motor == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not any(t.startswith("_amauta_busqueda") for t in tablas)
    if bd_seed.motor == "postgresql":
        assert bd_seed.valor("SELECT count(*) FROM pg_proc WHERE proname LIKE 'amauta%'") == 0
    assert cli_seed("db", "migrate").codigo == 0
    assert [x["slug"] for x in _json(cli_seed("cursos", "buscar", "triangulos", "--formato", "json"))] == ["geometria-plana"]
    assert cli_seed("db", "verificar").codigo == 0


@pytest.mark.parametrize("motor", ["postgresql"], indirect=True)
def test_postgresql_pliega_acentos_en_nfd_y_usa_el_indice(bd_seed):
    assert bd_seed.valor("SELECT amauta_sin_acentos('Geometri' || 'a' || chr(769) || ' ÑANDÚ')") == "geometria nandu"
    with bd_seed.engine().connect() as con:
        from amauta_cli.dialecto import dialecto

        con.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(dialecto(con).plan_busqueda(con, "geometria"))
    assert "_amauta_busqueda_curso_documento_idx" in plan
