"""Los períodos de calificación con un solo nombre en toda la institución, y
``amauta calificaciones periodos normalizar`` para las notas ya escritas de otra manera (por
ejemplo, por la aplicación web). Ambos motores.

La Escuela Nº 42 del escenario ``asistencia`` de ``fabrica.py`` tiene dos grupos: 4to Grado A (Lucas, Valentina...) y
5to Grado B (Ana, Juan). Sin ajustes, los períodos son los trimestres.
"""

from __future__ import annotations

import json

import pytest

from fabrica import ANA, ESCUELA, GRUPO, JUAN, LUCAS, OTRO_GRUPO, VALENTINA


pytestmark = pytest.mark.escenario("asistencia")  # bd (y cli) son la escuela de asistencia de la fábrica


def nota_web(bd, grupo: str, email: str, materia: str, periodo: str, nota: float, n: int = [0]) -> None:  # noqa: B006
    """Una nota escrita directamente en la base, como la escribe la aplicación web."""
    n[0] += 1
    bd.ejecutar(
        'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", "createdAt", "updatedAt") '
        'SELECT :id, g.id, u.id, :m, :p, :nota, 10, :t, :t FROM "Grupo" g, "Usuario" u WHERE g.nombre = :g AND u.email = :e',
        id=f"cweb{n[0]:06d}", m=materia, p=periodo, nota=nota, g=grupo, e=email, t="2026-06-01 12:00:00",
    )


def periodos(bd) -> list[tuple[str, str, str, str]]:
    return sorted(
        (g, e, m, p)
        for g, e, m, p in bd.filas(
            'SELECT g.nombre, u.email, c.materia, c.periodo FROM "Calificacion" c JOIN "Grupo" g ON g.id = c."grupoId" '
            'JOIN "Usuario" u ON u.id = c."estudianteId"'
        )
    )


@pytest.fixture
def web(bd):
    nota_web(bd, GRUPO, LUCAS, "Matemáticas", "1T", 8)
    nota_web(bd, GRUPO, VALENTINA, "Matemáticas", "1er trimestre", 7)
    nota_web(bd, OTRO_GRUPO, ANA, "Matemáticas", "Primer Trimestre", 9)
    nota_web(bd, OTRO_GRUPO, JUAN, "Lengua", "2° trimestre", 6)
    nota_web(bd, OTRO_GRUPO, JUAN, "Lengua", "Recuperatorio", 5)
    return bd


def test_registrar_y_cargar_usan_el_nombre_de_los_ajustes_en_toda_la_institucion(web, cli, tmp_path):
    r = cli("calificaciones", "registrar", "-g", OTRO_GRUPO, "-e", JUAN, "-m", "Lengua", "-p", "1T", "-n", "7")
    assert r.codigo == 0, r.texto
    assert "Lengua, 1er Trimestre, grupo '5to Grado B'" in r.stderr
    ruta = tmp_path / "n.csv"
    ruta.write_text(f"email,nota\n{LUCAS},9\n", encoding="utf-8")
    r = cli("calificaciones", "cargar", str(ruta), "-g", GRUPO, "-m", "Lengua", "-p", "primer TRIMESTRE")
    assert r.codigo == 0, r.texto
    assert (GRUPO, LUCAS, "Lengua", "1er Trimestre") in periodos(web)
    assert (OTRO_GRUPO, JUAN, "Lengua", "1er Trimestre") in periodos(web)


@pytest.mark.parametrize("args", [("registrar", "-e", JUAN, "-m", "Lengua", "-n", "7"), ("ver", "-m", "Lengua")])
def test_un_periodo_desconocido_se_rechaza_con_la_lista_de_los_validos(web, cli, args):
    antes = web.instantanea()
    comando, *resto = args
    r = cli("calificaciones", comando, "-g", OTRO_GRUPO, *resto, "-p", "Cuarto bimestre")
    assert r.codigo == 1, r.texto
    assert f"--periodo: 'Cuarto bimestre' no es un período en '{ESCUELA}'" in r.stderr
    assert "Los válidos son 1er Trimestre, 2do Trimestre y 3er Trimestre" in r.stderr
    assert "periodos_libres: true" in r.stderr
    assert web.instantanea() == antes


def test_cargar_con_periodo_desconocido_no_escribe(web, cli, tmp_path):
    ruta = tmp_path / "n.csv"
    ruta.write_text(f"email,nota\n{LUCAS},9\n", encoding="utf-8")
    antes = web.instantanea()
    r = cli("calificaciones", "cargar", str(ruta), "-g", GRUPO, "-m", "Lengua", "-p", "Final")
    assert r.codigo == 1 and "'Final' no es un período" in r.stderr
    assert web.instantanea() == antes


@pytest.mark.rapida
def test_normalizar_simula_corrige_y_no_repite(web, cli):
    antes = web.instantanea()
    r = cli("calificaciones", "periodos", "normalizar", "--simular", "-f", "json")
    assert r.codigo == 0, r.texto
    cambios = [(c["grupo"], c["de"], c["a"], c["filas"]) for c in json.loads(r.stdout)]
    assert cambios == [
        (GRUPO, "1er trimestre", "1er Trimestre", 1),
        (GRUPO, "1T", "1er Trimestre", 1),
        (OTRO_GRUPO, "2° trimestre", "2do Trimestre", 1),
        (OTRO_GRUPO, "Primer Trimestre", "1er Trimestre", 1),
    ]
    assert f"'Recuperatorio' (1 nota, grupo '5to Grado B', {ESCUELA}) no es ningún período" in r.stderr
    assert web.instantanea() == antes  # --simular no escribe
    r = cli("calificaciones", "periodos", "normalizar", "--simular")
    assert "Períodos a normalizar (simulación: no se escribió nada)" in r.stdout
    assert "Se cambiarían 4 notas en 4 escrituras" in r.stderr

    r = cli("calificaciones", "periodos", "normalizar")
    assert r.codigo == 0, r.texto
    assert "4 notas con el período corregido" in r.stderr
    assert periodos(web) == sorted([
        (GRUPO, LUCAS, "Matemáticas", "1er Trimestre"),
        (GRUPO, VALENTINA, "Matemáticas", "1er Trimestre"),
        (OTRO_GRUPO, ANA, "Matemáticas", "1er Trimestre"),
        (OTRO_GRUPO, JUAN, "Lengua", "2do Trimestre"),
        (OTRO_GRUPO, JUAN, "Lengua", "Recuperatorio"),
    ])
    r = cli("calificaciones", "periodos", "normalizar", "-i", ESCUELA)
    assert r.codigo == 0 and "no hay nada que cambiar" in r.stderr
    rep = json.loads(cli("calificaciones", "reporte", "-g", GRUPO, "-f", "json").stdout)
    assert rep["materias"][0]["periodos"] == ["1er Trimestre"]


def test_normalizar_no_une_dos_notas_del_mismo_periodo(web, cli):
    nota_web(web, GRUPO, LUCAS, "Matemáticas", "1er Trimestre", 9)  # Lucas ya tenía "1T"
    antes = web.instantanea()
    r = cli("calificaciones", "periodos", "normalizar")
    assert r.codigo == 1, r.texto
    assert "No se cambió nada: 1 estudiante tiene la misma materia en dos escrituras" in r.stderr
    assert f"{LUCAS}, Matemáticas, grupo '{GRUPO}' ({ESCUELA}): '1T' y '1er Trimestre' serían '1er Trimestre'" in r.stderr
    assert web.instantanea() == antes
    r = cli("calificaciones", "periodos", "normalizar", "--simular")
    assert r.codigo == 1 and "'1T' y '1er Trimestre'" in r.stderr
    assert web.instantanea() == antes


def test_periodos_libres_usan_la_escritura_de_la_institucion(web, cli, tmp_path, monkeypatch):
    ajustes = tmp_path / "ajustes.yaml"
    ajustes.write_text("calendario:\n  periodos_libres: true\n", encoding="utf-8")
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))
    nota_web(web, GRUPO, LUCAS, "Lengua", "Parcial 1", 8)
    nota_web(web, GRUPO, VALENTINA, "Lengua", "Parcial 1", 7)
    nota_web(web, OTRO_GRUPO, ANA, "Lengua", "PARCIAL 1", 6)
    r = cli("calificaciones", "registrar", "-g", OTRO_GRUPO, "-e", JUAN, "-m", "Lengua", "-p", "parcial 1", "-n", "7")
    assert r.codigo == 0, r.texto
    assert (OTRO_GRUPO, JUAN, "Lengua", "Parcial 1") in periodos(web)  # la más usada en la escuela
    # Un trimestre sigue yendo a su nombre de los ajustes.
    r = cli("calificaciones", "registrar", "-g", OTRO_GRUPO, "-e", JUAN, "-m", "Lengua", "-p", "3T", "-n", "7")
    assert (OTRO_GRUPO, JUAN, "Lengua", "3er Trimestre") in periodos(web)
    r = cli("calificaciones", "periodos", "normalizar", "-f", "json")
    assert r.codigo == 0, r.texto
    assert (OTRO_GRUPO, "PARCIAL 1", "Parcial 1", 1) in [(c["grupo"], c["de"], c["a"], c["filas"]) for c in json.loads(r.stdout)]
    assert not any(p == "PARCIAL 1" for *_, p in periodos(web))


def test_periodos_ver(cli, tmp_path, monkeypatch):
    ajustes = tmp_path / "ajustes.yaml"
    ajustes.write_text(
        "calendario:\n  ciclo_lectivo: {inicio: '03-02', fin: '12-18'}\n  periodos: cuatrimestres\n", encoding="utf-8"
    )
    monkeypatch.setenv("AMAUTA_AJUSTES", str(ajustes))
    r = cli("calificaciones", "periodos", "ver", "--anio", "2026", "-f", "json")
    assert r.codigo == 0, r.texto
    assert [(p["orden"], p["nombre"], p["desde"], p["hasta"]) for p in json.loads(r.stdout)] == [
        (1, "1er Cuatrimestre", "2026-03-02", "2026-07-31"),
        (2, "2do Cuatrimestre", "2026-08-01", "2026-12-18"),
    ]
