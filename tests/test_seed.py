"""``amauta seed`` (servicio): los datos exactos del diseño, idempotencia, --reset y la
política de asistencia en días posteriores. En SQLite y PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import bcrypt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amauta_cli.db import transaccion
from amauta_cli.errores import OperacionRechazada
from amauta_cli.services import seed
from amauta_cli.services.seed import dias_habiles, sembrar

PASSWORD = "Amauta2024!"
CONTEOS_DISENO = {
    "Usuario": 8,
    "Perfil": 8,
    "Categoria": 6,
    "Institucion": 1,
    "Curso": 3,
    "Leccion": 9,
    "Recurso": 0,
    "Inscripcion": 5,
    "Progreso": 9,
    "Grupo": 1,
    "GrupoEstudiante": 2,
    "Asistencia": 10,
    "Calificacion": 4,
    "Comunicado": 1,
}
LUNES = date(2024, 6, 3)  # un lunes cualquiera, para fijar "hoy"


def todas_las_revisiones() -> list[str]:
    from amauta_cli.services.esquema import revisiones

    return [r.revision for r in revisiones()]


def fecha_hora(v) -> datetime:
    """Un TIMESTAMP leído con SQL crudo: datetime en PostgreSQL, texto en SQLite."""
    return datetime.fromisoformat(v) if isinstance(v, str) else v


def conteos_prisma(bd) -> dict[str, int]:
    return {t: bd.contar(t) for t in CONTEOS_DISENO}


# --- Los datos del diseño ------------------------------------------------------------------------
def test_cada_tabla_tiene_las_filas_del_diseno(bd_seed):
    assert conteos_prisma(bd_seed) == CONTEOS_DISENO


def test_usuarios_y_roles_del_diseno_con_sus_acentos(bd_seed):
    filas = set(bd_seed.filas('SELECT email, nombre, apellido, rol FROM "Usuario"'))
    assert filas == {
        ("admin@amauta.org", "Admin", "Sistema", "SUPER_ADMIN"),
        ("director@escuela.edu.ar", "Daniel", "Martínez", "ADMIN_ESCUELA"),
        ("maria.gonzalez@edu.ar", "María", "González", "EDUCADOR"),
        ("carlos.lopez@edu.ar", "Carlos", "López", "EDUCADOR"),
        ("laura.silva@edu.ar", "Laura", "Silva", "EDUCADOR"),
        ("lucas.fernandez@mail.com", "Lucas", "Fernández", "ESTUDIANTE"),
        ("valentina.ruiz@mail.com", "Valentina", "Ruiz", "ESTUDIANTE"),
        ("mateo.garcia@mail.com", "Mateo", "García", "ESTUDIANTE"),
    }


def test_cada_password_verifica_con_bcrypt_costo_10_y_sal_propia(bd_seed):
    hashes = [h for (h,) in bd_seed.filas('SELECT password FROM "Usuario"')]
    assert len(hashes) == 8
    for h in hashes:
        assert h.startswith("$2b$10$")
        assert bcrypt.checkpw(PASSWORD.encode(), h.encode())
    assert len({h[:29] for h in hashes}) == 8  # "$2b$10$" + 22 caracteres de sal


def test_perfiles_con_los_datos_especificos_del_diseno(bd_seed):
    from sqlalchemy import select

    from amauta_cli.models import Perfil, Usuario

    with transaccion(bd_seed.url, solo_lectura=True) as s:
        filas = s.execute(
            select(Usuario.email, Perfil).join(Perfil, Perfil.usuarioId == Usuario.id)
        ).all()
        s.expunge_all()  # los objetos quedan cargados después del rollback de solo lectura
        p = {email: perfil for email, perfil in filas}
    assert len(p) == 8  # todo usuario tiene su perfil
    maria, carlos = p["maria.gonzalez@edu.ar"], p["carlos.lopez@edu.ar"]
    assert maria.bio.startswith("Licenciada en Matemáticas")
    assert (maria.telefono, maria.ciudad, maria.especialidad, maria.experiencia) == (
        "+54 11 1234-5678",
        "Buenos Aires",
        ["Álgebra", "Geometría"],
        10,
    )
    assert carlos.bio.startswith("Doctor en Física")
    assert (carlos.telefono, carlos.ciudad, carlos.especialidad, carlos.experiencia) == (
        "+54 11 2345-6789",
        "Córdoba",
        ["Física", "Química"],
        8,
    )
    for email, ciudad, matricula, grado in (
        ("lucas.fernandez@mail.com", "Mendoza", "2024-001", "4to"),
        ("valentina.ruiz@mail.com", "Buenos Aires", "2024-002", "4to"),
        ("mateo.garcia@mail.com", "Rosario", "2024-003", "3ro"),
    ):
        e = p[email]
        assert (e.bio, e.telefono, e.ciudad, e.matricula, e.grado) == (
            None,
            None,
            ciudad,
            matricula,
            grado,
        )


def test_categorias_e_institucion(bd_seed):
    assert set(bd_seed.filas('SELECT nombre, slug, descripcion, icono FROM "Categoria"')) == {
        ("Matemáticas", "matematicas", "Álgebra, geometría, cálculo y estadística", "calculator"),
        (
            "Ciencias Naturales",
            "ciencias-naturales",
            "Física, química, biología y astronomía",
            "flask",
        ),
        (
            "Lengua y Literatura",
            "lengua-literatura",
            "Gramática, comprensión lectora y redacción",
            "book-open",
        ),
        ("Historia", "historia", "Historia argentina, americana y mundial", "landmark"),
        (
            "Tecnología",
            "tecnologia",
            "Informática, programación y herramientas digitales",
            "laptop",
        ),
        ("Arte", "arte", "Plástica, música y expresión artística", "palette"),
    }
    assert bd_seed.filas(
        'SELECT nombre, tipo, direccion, telefono, email, activa FROM "Institucion"'
    ) == [
        (
            'Escuela Primaria Nº 42 "Bernardino Rivadavia"',
            "ESCUELA",
            "Av. San Martín 1234, CABA",
            "+54 11 4567-8900",
            "contacto@escuela42.edu.ar",
            True,
        ),
    ]


def test_cursos_publicadoen_solo_en_los_publicados(bd_seed):
    filas = bd_seed.filas(
        'SELECT c.slug, c.titulo, u.email, k.slug, c.nivel, c.estado, c.duracion, c."publicadoEn", c."createdAt" '
        'FROM "Curso" c JOIN "Usuario" u ON u.id = c."educadorId" JOIN "Categoria" k ON k.id = c."categoriaId" '
        "ORDER BY c.slug"
    )
    assert [f[:7] for f in filas] == [
        (
            "algebra-basica",
            "Álgebra Básica",
            "maria.gonzalez@edu.ar",
            "matematicas",
            "PRINCIPIANTE",
            "PUBLICADO",
            180,
        ),
        (
            "geometria-plana",
            "Geometría Plana",
            "maria.gonzalez@edu.ar",
            "matematicas",
            "INTERMEDIO",
            "PUBLICADO",
            240,
        ),
        (
            "intro-fisica",
            "Introducción a la Física",
            "carlos.lopez@edu.ar",
            "ciencias-naturales",
            "PRINCIPIANTE",
            "BORRADOR",
            200,
        ),
    ]
    publicado = {f[0]: f[7] for f in filas}
    assert publicado["intro-fisica"] is None
    assert publicado["algebra-basica"] is not None and publicado["geometria-plana"] is not None
    creados = [f[8] for f in filas]
    assert len(set(creados)) == 3  # fechas escalonadas
    assert all(f[7] is None or f[7] >= f[8] for f in filas)


def test_lecciones_del_diseno_y_su_contenido_por_tipo(bd_seed):
    from sqlalchemy import select

    from amauta_cli.models import Curso, Leccion

    with transaccion(bd_seed.url, solo_lectura=True) as s:
        filas = s.execute(
            select(Curso.slug, Leccion)
            .join(Leccion, Leccion.cursoId == Curso.id)
            .order_by(Curso.slug, Leccion.orden)
        ).all()
        s.expunge_all()
    lecciones = {}
    for slug, lec in filas:
        lecciones.setdefault(slug, []).append(lec)
    resumen = {
        slug: [(l.orden, l.titulo, l.tipo.value, l.duracion, l.publicada) for l in ls]
        for slug, ls in lecciones.items()
    }
    assert resumen == {
        "algebra-basica": [
            (1, "¿Qué es el álgebra?", "VIDEO", 15, True),
            (2, "Variables y constantes", "TEXTO", 20, True),
            (3, "Operaciones básicas", "TEXTO", 25, True),
            (4, "Evaluación inicial", "QUIZ", 15, True),
        ],
        "geometria-plana": [
            (1, "Puntos, rectas y planos", "VIDEO", 20, True),
            (2, "Ángulos y su clasificación", "TEXTO", 25, True),
            (3, "Triángulos", "INTERACTIVO", 30, True),
        ],
        "intro-fisica": [  # el borrador: ninguna publicada
            (1, "El método científico", "VIDEO", 20, False),
            (2, "Magnitudes y unidades", "TEXTO", 25, False),
        ],
    }
    for ls in lecciones.values():
        for l in ls:
            c = l.contenido
            if l.tipo == "VIDEO":
                assert c["url"].startswith("https://") and c["duracionSegundos"] > 0
            elif l.tipo == "TEXTO":
                assert len(c["cuerpo"]) > 100
            elif l.tipo == "QUIZ":
                assert len(c["preguntas"]) >= 3
                for p in c["preguntas"]:
                    assert 0 <= p["respuesta"] < len(p["opciones"])
            elif l.tipo == "INTERACTIVO":
                assert c["url"].startswith("https://") and c["instrucciones"]


def test_inscripciones_con_progreso_acorde_a_las_lecciones(bd_seed):
    filas = bd_seed.filas(
        'SELECT u.email, c.slug, i.estado, i.progreso, i."completadoEn" FROM "Inscripcion" i '
        'JOIN "Usuario" u ON u.id = i."usuarioId" JOIN "Curso" c ON c.id = i."cursoId"'
    )
    assert {f[:4] for f in filas} == {
        ("lucas.fernandez@mail.com", "algebra-basica", "COMPLETADO", 100),
        ("lucas.fernandez@mail.com", "geometria-plana", "ACTIVO", 66),
        ("valentina.ruiz@mail.com", "algebra-basica", "ACTIVO", 50),
        ("valentina.ruiz@mail.com", "geometria-plana", "ACTIVO", 33),
        ("mateo.garcia@mail.com", "algebra-basica", "ACTIVO", 0),
    }
    for email, slug, estado, _p, completado_en in filas:
        assert (completado_en is not None) == (estado == "COMPLETADO"), (email, slug)


def test_progresos_lucas_seis_y_su_quiz_al_85(bd_seed):
    filas = bd_seed.filas(
        'SELECT u.email, c.slug, l.orden, p.completado, p.porcentaje, p."mejorPuntaje", p."completadoEn" '
        'FROM "Progreso" p JOIN "Usuario" u ON u.id = p."usuarioId" JOIN "Leccion" l ON l.id = p."leccionId" '
        'JOIN "Curso" c ON c.id = l."cursoId"'
    )
    lucas = [f for f in filas if f[0] == "lucas.fernandez@mail.com"]
    assert len(lucas) == 6
    assert {(f[1], f[2]) for f in lucas} == {
        ("algebra-basica", 1),
        ("algebra-basica", 2),
        ("algebra-basica", 3),
        ("algebra-basica", 4),
        ("geometria-plana", 1),
        ("geometria-plana", 2),
    }
    quiz = [f for f in lucas if f[1:3] == ("algebra-basica", 4)][0]
    assert quiz[5] == 85
    assert [f[5] for f in filas if f is not quiz] == [None] * 8
    valentina = {(f[1], f[2]) for f in filas if f[0] == "valentina.ruiz@mail.com"}
    assert valentina == {("algebra-basica", 1), ("algebra-basica", 2), ("geometria-plana", 1)}
    assert all(bool(f[3]) and f[4] == 100 and f[6] is not None for f in filas)


@pytest.mark.rapida
def test_grupo_con_sus_dos_estudiantes(bd_seed):
    assert bd_seed.filas(
        'SELECT g.nombre, g.grado, g.seccion, i.nombre, u.email, g.activo FROM "Grupo" g '
        'JOIN "Institucion" i ON i.id = g."institucionId" JOIN "Usuario" u ON u.id = g."educadorId"'
    ) == [
        (
            "4to Grado A",
            "4to",
            "A",
            'Escuela Primaria Nº 42 "Bernardino Rivadavia"',
            "maria.gonzalez@edu.ar",
            True,
        )
    ]
    assert {
        e
        for (e,) in bd_seed.filas(
            'SELECT u.email FROM "GrupoEstudiante" ge JOIN "Usuario" u ON u.id = ge."estudianteId"'
        )
    } == {"lucas.fernandez@mail.com", "valentina.ruiz@mail.com"}


def test_asistencia_de_los_ultimos_5_dias_habiles(bd_seed):
    filas = bd_seed.filas(
        'SELECT u.email, a.fecha, a.estado FROM "Asistencia" a JOIN "Usuario" u ON u.id = a."estudianteId"'
    )
    lucas = [f for f in filas if f[0] == "lucas.fernandez@mail.com"]
    valentina = [f for f in filas if f[0] == "valentina.ruiz@mail.com"]
    assert sorted(f[2] for f in lucas) == ["PRESENTE"] * 5
    assert sorted(f[2] for f in valentina) == [
        "AUSENTE",
        "PRESENTE",
        "PRESENTE",
        "PRESENTE",
        "TARDANZA",
    ]
    fechas_v = {fecha_hora(f[1]) for f in valentina}
    assert len(fechas_v) == 5 and fechas_v == {fecha_hora(f[1]) for f in lucas}
    for f in fechas_v:
        assert (f.hour, f.minute, f.second, f.microsecond) == (0, 0, 0, 0)  # medianoche
        assert f.weekday() < 5  # de lunes a viernes
    hoy = date.today()
    assert max(fechas_v).date() <= hoy
    # Los últimos 5 días de clase del calendario escolar (sin feriados ni receso).
    from amauta_cli.services.calendario import calendario
    from amauta_cli.services.seed import dias_de_clase

    assert sorted(f.date() for f in fechas_v) == dias_de_clase(hoy, 5, calendario())


@pytest.mark.rapida
def test_calificaciones_y_comunicado(bd_seed):
    assert set(
        bd_seed.filas(
            'SELECT u.email, c.materia, c.periodo, c.nota, c."notaMaxima" FROM "Calificacion" c '
            'JOIN "Usuario" u ON u.id = c."estudianteId"'
        )
    ) == {
        ("lucas.fernandez@mail.com", "Matemáticas", "1er Trimestre", 8.5, 10.0),
        ("lucas.fernandez@mail.com", "Matemáticas", "2do Trimestre", 9.0, 10.0),
        ("valentina.ruiz@mail.com", "Matemáticas", "1er Trimestre", 7.0, 10.0),
        ("valentina.ruiz@mail.com", "Matemáticas", "2do Trimestre", 7.5, 10.0),
    }
    assert bd_seed.filas(
        'SELECT c.titulo, c.tipo, c.prioridad, u.email, i.nombre FROM "Comunicado" c '
        'JOIN "Usuario" u ON u.id = c."autorId" JOIN "Institucion" i ON i.id = c."institucionId"'
    ) == [
        (
            "Bienvenidos al ciclo lectivo 2024",
            "GENERAL",
            "NORMAL",
            "director@escuela.edu.ar",
            'Escuela Primaria Nº 42 "Bernardino Rivadavia"',
        )
    ]


def test_fechas_escalonadas_y_updatedat_puesto_por_el_cliente(bd_seed):
    creados = [
        c for (c,) in bd_seed.filas('SELECT "createdAt" FROM "Usuario" ORDER BY "createdAt"')
    ]
    assert len(set(creados)) == 8
    assert bd_seed.valor('SELECT count(*) FROM "Usuario" WHERE "emailVerificado" IS NULL') == 0
    for tabla in ("Usuario", "Perfil", "Curso", "Leccion", "Progreso", "Asistencia", "Comunicado"):
        assert bd_seed.valor(f'SELECT count(*) FROM "{tabla}" WHERE "updatedAt" IS NULL') == 0
    # Lecciones y progresos: después de su curso / de la inscripción.
    assert (
        bd_seed.valor(
            'SELECT count(*) FROM "Leccion" l JOIN "Curso" c ON c.id = l."cursoId" WHERE l."createdAt" <= c."createdAt"'
        )
        == 0
    )


# --- Idempotencia -----------------------------------------------------------------------------------
def test_segunda_corrida_no_cambia_nada(bd_seed):
    antes = bd_seed.instantanea()  # ids, hashes, updatedAt... de cada tabla
    r = sembrar(bd_seed.url)
    assert r.totales == {"creadas": 0, "actualizadas": 0, "sin_cambios": 67, "eliminadas": 0}
    assert bd_seed.instantanea() == antes


def test_desde_una_base_vacia_migra_y_dos_corridas_dan_lo_mismo(bd_vacia):
    r1 = sembrar(bd_vacia.url, hoy=LUNES)
    assert r1.migraciones == todas_las_revisiones()
    assert r1.totales["creadas"] == 67
    assert conteos_prisma(bd_vacia) == CONTEOS_DISENO
    antes = bd_vacia.instantanea()
    r2 = sembrar(bd_vacia.url, hoy=LUNES)
    assert r2.migraciones == [] and r2.totales["creadas"] == r2.totales["actualizadas"] == 0
    assert bd_vacia.instantanea() == antes


def test_cambios_manuales_se_restablecen_conservando_ids(bd_seed):
    ids_antes = {
        t: sorted(bd_seed.filas(f'SELECT id FROM "{t}"'))
        for t in ("Usuario", "Curso", "Leccion", "Grupo")
    }
    hashes_antes = dict(bd_seed.filas('SELECT email, password FROM "Usuario"'))
    otro = bcrypt.hashpw(b"OtraClave123", bcrypt.gensalt(4)).decode()
    bd_seed.ejecutar(
        'UPDATE "Usuario" SET nombre = :n, password = :p WHERE email = :e',
        n="Mariela",
        p=otro,
        e="maria.gonzalez@edu.ar",
    )
    bd_seed.ejecutar("""UPDATE "Curso" SET estado = 'ARCHIVADO' WHERE slug = 'intro-fisica'""")
    bd_seed.ejecutar("""UPDATE "Asistencia" SET estado = 'JUSTIFICADO'""")
    bd_seed.ejecutar('DELETE FROM "Calificacion" WHERE periodo = :p', p="2do Trimestre")
    r = sembrar(bd_seed.url)
    por = {c.tabla: c for c in r.conteos}
    assert (por["Usuario"].actualizadas, por["Usuario"].sin_cambios) == (1, 7)
    assert por["Curso"].actualizadas == 1
    assert por["Asistencia"].actualizadas == 10
    assert por["Calificacion"].creadas == 2
    assert (
        bd_seed.valor('SELECT nombre FROM "Usuario" WHERE email = :e', e="maria.gonzalez@edu.ar")
        == "María"
    )
    assert bd_seed.valor("""SELECT estado FROM "Curso" WHERE slug = 'intro-fisica'""") == "BORRADOR"
    assert conteos_prisma(bd_seed) == CONTEOS_DISENO
    for t, ids in ids_antes.items():
        assert sorted(bd_seed.filas(f'SELECT id FROM "{t}"')) == ids, t
    hashes = dict(bd_seed.filas('SELECT email, password FROM "Usuario"'))
    nuevo = hashes.pop("maria.gonzalez@edu.ar")
    assert nuevo != otro and bcrypt.checkpw(PASSWORD.encode(), nuevo.encode())
    hashes_antes.pop("maria.gonzalez@edu.ar")
    assert hashes == hashes_antes  # las que verificaban no se volvieron a cifrar


def test_no_borra_lo_que_no_es_del_seed(bd_seed):
    bd_seed.ejecutar(
        'INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt") '
        "VALUES ('cextra', 'extra@mail.com', 'Ext', 'Ra', 'ESTUDIANTE', 'x', true, :t, :t)",
        t=date(2024, 1, 1),
    )
    sembrar(bd_seed.url)
    assert bd_seed.contar("Usuario") == 9


# --- Asistencia en días posteriores -----------------------------------------------------------------
def _fechas_seed(bd) -> list[date]:
    return sorted({fecha_hora(f).date() for (f,) in bd.filas('SELECT fecha FROM "Asistencia"')})


def test_otro_dia_corre_la_ventana_sin_acumular_filas(bd):
    miercoles = date(2024, 6, 5)
    sembrar(bd.url, hoy=miercoles)
    assert _fechas_seed(bd) == dias_habiles(miercoles, 5)
    # Asistencia cargada a mano en otra fecha: no es del seed y no se toca.
    lucas = bd.valor("""SELECT id FROM "Usuario" WHERE email = 'lucas.fernandez@mail.com'""")
    grupo = bd.valor('SELECT id FROM "Grupo"')
    bd.ejecutar(
        'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, "createdAt", "updatedAt") '
        "VALUES ('cmanual', :g, :e, :f, 'JUSTIFICADO', :f, :f)",
        g=grupo,
        e=lucas,
        f=date(2024, 5, 1),
    )
    jueves = miercoles + timedelta(days=1)
    r = sembrar(bd.url, hoy=jueves)
    a = {c.tabla: c for c in r.conteos}["Asistencia"]
    assert (a.creadas, a.eliminadas) == (2, 2)  # entra el jueves, sale el miércoles anterior
    assert bd.contar("Asistencia") == 11
    assert bd.valor("""SELECT estado FROM "Asistencia" WHERE id = 'cmanual'""") == "JUSTIFICADO"
    ventana = dias_habiles(jueves, 5)
    filas = bd.filas(
        'SELECT u.email, a.fecha, a.estado FROM "Asistencia" a JOIN "Usuario" u ON u.id = a."estudianteId" '
        "WHERE a.id <> 'cmanual'"
    )
    assert sorted({fecha_hora(f[1]).date() for f in filas}) == ventana
    assert sorted(f[2] for f in filas if f[0] == "valentina.ruiz@mail.com") == [
        "AUSENTE",
        "PRESENTE",
        "PRESENTE",
        "PRESENTE",
        "TARDANZA",
    ]
    # Mismo día: nada cambia. Un mes después: 10 fuera, 10 dentro, nunca más de 10.
    antes = bd.instantanea()
    sembrar(bd.url, hoy=jueves)
    assert bd.instantanea() == antes
    r = sembrar(bd.url, hoy=jueves + timedelta(days=30))
    a = {c.tabla: c for c in r.conteos}["Asistencia"]
    assert (a.creadas, a.eliminadas) == (10, 10)
    assert bd.contar("Asistencia") == 11


def test_fin_de_semana_usa_la_semana_que_termina(bd):
    sabado = date(2024, 6, 8)
    sembrar(bd.url, hoy=sabado)
    assert _fechas_seed(bd) == [date(2024, 6, d) for d in (3, 4, 5, 6, 7)]


@given(hoy=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), n=st.integers(1, 30))
def test_dias_habiles_son_los_n_ultimos_de_lunes_a_viernes(hoy, n):
    dias = dias_habiles(hoy, n)
    assert len(dias) == n == len(set(dias)) and dias == sorted(dias)
    assert all(d.weekday() < 5 for d in dias) and dias[-1] <= hoy
    todos = [dias[0] + timedelta(days=k) for k in range((hoy - dias[0]).days + 1)]
    assert [d for d in todos if d.weekday() < 5] == dias  # no se saltea ninguno


# --- --reset ---------------------------------------------------------------------------------------------
def test_reset_tras_cambios_manuales_restablece_el_estado_del_seed(bd_seed):
    bd_seed.ejecutar(
        'UPDATE "Usuario" SET nombre = :n WHERE email = :e', n="Mariela", e="maria.gonzalez@edu.ar"
    )
    bd_seed.ejecutar('DELETE FROM "Progreso"')
    bd_seed.ejecutar('CREATE TABLE "basura" (x INTEGER)')
    bd_seed.ejecutar(
        'INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt") '
        "VALUES ('cextra', 'extra@mail.com', 'Ext', 'Ra', 'ESTUDIANTE', 'x', true, :t, :t)",
        t=date(2024, 1, 1),
    )
    r = sembrar(bd_seed.url, reset=True)
    assert r.reset and r.migraciones == todas_las_revisiones()
    assert r.totales == {"creadas": 67, "actualizadas": 0, "sin_cambios": 0, "eliminadas": 0}
    assert conteos_prisma(bd_seed) == CONTEOS_DISENO
    assert (
        bd_seed.valor('SELECT nombre FROM "Usuario" WHERE email = :e', e="maria.gonzalez@edu.ar")
        == "María"
    )
    from sqlalchemy import inspect

    with bd_seed.engine().connect() as con:
        assert "basura" not in inspect(con).get_table_names()
    from amauta_cli.services.esquema import verificar

    assert verificar(bd_seed.url) == []  # el esquema quedó exactamente el de los modelos
    if bd_seed.motor == "postgresql":
        from amauta_cli.models import ENUMS

        assert (
            bd_seed.valor(
                "SELECT count(*) FROM pg_type WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace"
            )
            == len(ENUMS)
            == 9
        )
    # Y una corrida normal después no cambia nada.
    antes = bd_seed.instantanea()
    sembrar(bd_seed.url)
    assert bd_seed.instantanea() == antes


def test_varios_reset_seguidos_en_el_mismo_proceso(bd):
    # psycopg prepara las sentencias que se repiten; tras borrar y recrear los tipos enum,
    # una conexión vieja del pool fallaría con "cache lookup failed for type".
    for reset, clave in [
        (True, "creadas"),  # INSERT de varias filas, que psycopg prepara
        (True, "creadas"),
        (False, "sin_cambios"),
        (True, "creadas"),
        (True, "creadas"),
    ]:
        assert sembrar(bd.url, reset=reset).totales[clave] == 67
    assert conteos_prisma(bd) == CONTEOS_DISENO


def test_reset_conserva_la_marca_de_entorno_que_no_es_produccion(bd_seed):
    bd_seed.ejecutar(
        """INSERT INTO "_amauta_meta" (clave, valor, "updatedAt") VALUES ('entorno', 'pruebas', :t)""",
        t=date(2024, 1, 1),
    )
    sembrar(bd_seed.url, reset=True)
    assert (
        bd_seed.valor("""SELECT valor FROM "_amauta_meta" WHERE clave = 'entorno'""") == "pruebas"
    )


def test_reset_es_todo_o_nada(bd_seed, monkeypatch):
    antes = bd_seed.instantanea()

    def falla(*_a, **_k):
        raise RuntimeError("falla a mitad del seed")

    monkeypatch.setattr(seed, "_sincronizar_asistencias", falla)
    with pytest.raises(RuntimeError):
        sembrar(bd_seed.url, reset=True)
    assert bd_seed.instantanea() == antes  # ni una tabla borrada


def test_seed_es_todo_o_nada(bd_seed, monkeypatch):
    bd_seed.ejecutar('DELETE FROM "Calificacion"')
    bd_seed.ejecutar(
        'UPDATE "Usuario" SET nombre = :n WHERE email = :e', n="Mariela", e="maria.gonzalez@edu.ar"
    )
    antes = bd_seed.instantanea()
    monkeypatch.setattr(
        seed, "_sincronizar_asistencias", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x"))
    )
    with pytest.raises(RuntimeError):
        sembrar(bd_seed.url)
    assert bd_seed.instantanea() == antes


# --- Producción -----------------------------------------------------------------------------------------
def _marcar_produccion(bd) -> None:
    bd.ejecutar(
        """INSERT INTO "_amauta_meta" (clave, valor, "updatedAt") VALUES ('entorno', 'produccion', :t)""",
        t=date(2024, 1, 1),
    )


@pytest.mark.parametrize("reset", [False, True])
def test_base_marcada_como_produccion_se_rechaza(bd_seed, reset):
    _marcar_produccion(bd_seed)
    bd_seed.ejecutar('DELETE FROM "Calificacion"')  # algo que el seed restablecería
    antes = bd_seed.instantanea()
    with pytest.raises(OperacionRechazada, match="marcada como producción"):
        sembrar(bd_seed.url, reset=reset)
    assert bd_seed.instantanea() == antes


@pytest.mark.parametrize("reset", [False, True])
def test_amauta_env_produccion_se_rechaza_antes_de_migrar(bd_vacia, monkeypatch, reset):
    monkeypatch.setenv("AMAUTA_ENV", "produccion")
    with pytest.raises(OperacionRechazada, match="AMAUTA_ENV"):
        sembrar(bd_vacia.url, reset=reset)
    monkeypatch.delenv("AMAUTA_ENV")
    assert bd_vacia.conteos() == {}  # ni siquiera se creó el esquema


# --- bcrypt anticipado ------------------------------------------------------------------------------
def test_contrasenas_anticipadas_se_reverifican_si_la_base_cambio():
    from amauta_cli.services.seed import _Contrasenas

    usuarios = [
        {"email": "a@x.com", "password": PASSWORD},
        {"email": "b@x.com", "password": PASSWORD},
    ]
    bueno = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    otro_bueno = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    malo = bcrypt.hashpw(b"otra-cosa-123", bcrypt.gensalt(4)).decode()
    # Se verificó 'bueno' para a@ y 'malo' para b@ antes de migrar...
    with _Contrasenas(usuarios, {"a@x.com": bueno, "b@x.com": malo}, cifrar=False) as c:
        # ...pero en la transacción a@ tiene otro hash que también verifica y b@ uno bueno.
        r = c.resolver({"a@x.com": otro_bueno, "b@x.com": bueno})
    assert r == {"a@x.com": otro_bueno, "b@x.com": bueno}  # se conservan: no se recifra
    with _Contrasenas(usuarios, {"a@x.com": bueno, "b@x.com": bueno}, cifrar=False) as c:
        r = c.resolver({"a@x.com": malo})  # b@ desapareció; a@ ya no verifica
    assert r["a@x.com"] != malo and r["b@x.com"] not in (bueno, malo)
    for h in r.values():
        assert h.startswith("$2b$10$") and bcrypt.checkpw(PASSWORD.encode(), h.encode())
    with _Contrasenas(usuarios, {}, cifrar=True) as c:  # --reset: todas nuevas, con sal propia
        r = c.resolver({})
    assert len(set(r.values())) == 2 and all(
        bcrypt.checkpw(PASSWORD.encode(), h.encode()) for h in r.values()
    )
