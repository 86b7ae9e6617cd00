"""``amauta seed --archivo``: el archivo se valida entero antes de escribir, y cada
problema nombra su lugar (ruta y línea) y qué está mal."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from amauta_cli.errores import DatosInvalidos, NoEncontrado
from amauta_cli.services import seed

BASE = yaml.safe_load(seed.ruta_por_defecto().read_text(encoding="utf-8"))


def escribir(tmp_path: Path, datos, nombre: str = "otro.yaml") -> Path:
    ruta = tmp_path / nombre
    texto = (
        datos
        if isinstance(datos, str)
        else yaml.safe_dump(datos, allow_unicode=True, sort_keys=False)
    )
    ruta.write_text(texto, encoding="utf-8")
    return ruta


def problemas(tmp_path: Path, datos) -> list[str]:
    with pytest.raises(DatosInvalidos) as e:
        seed.cargar(escribir(tmp_path, datos))
    assert "no se escribió nada" in e.value.mensaje
    return e.value.problemas


def con(cambio) -> dict:
    d = copy.deepcopy(BASE)
    cambio(d)
    return d


def test_el_archivo_del_paquete_es_valido():
    d = seed.cargar()
    assert (len(d.usuarios), len(d.categorias), len(d.cursos), len(d.lecciones)) == (8, 6, 3, 9)
    assert d.dias_asistencia == 5


def test_rol_invalido_con_ruta_linea_y_valores_permitidos(tmp_path):
    p = problemas(tmp_path, con(lambda d: d["usuarios"][3].update(rol="PROFESOR")))
    assert len(p) == 1
    assert p[0].endswith(
        "usuarios[3].rol: 'PROFESOR' no es un rol válido (ESTUDIANTE, EDUCADOR, ADMIN_ESCUELA, SUPER_ADMIN)"
    )
    assert p[0].startswith("línea ")
    linea = int(p[0].split(":")[0].split()[1])
    texto = (tmp_path / "otro.yaml").read_text(encoding="utf-8").splitlines()
    assert "PROFESOR" in texto[linea - 1]


def test_email_desconocido_en_un_grupo(tmp_path):
    p = problemas(tmp_path, con(lambda d: d["grupos"][0]["estudiantes"].append("nadie@mail.com")))
    assert any(
        "grupos[0].estudiantes[2]: el email 'nadie@mail.com' no está en usuarios: del archivo" in x
        for x in p
    )


def test_campo_obligatorio_que_falta(tmp_path):
    p = problemas(tmp_path, con(lambda d: d["usuarios"][5].pop("nombre")))
    assert any(x.endswith("usuarios[5]: falta el campo obligatorio 'nombre'") for x in p)


@pytest.mark.parametrize(
    "valor, esperado",
    [
        ("2024-13-45", "no es una fecha válida (el mes debe ir de 1 a 12)"),
        ("31/02/2024", "febrero de 2024 tiene 29 días"),
        ("el martes", "'el martes' no es una fecha válida (use AAAA-MM-DD HH:MM:SS"),
    ],
)
def test_fecha_que_no_se_entiende(tmp_path, valor, esperado):
    p = problemas(tmp_path, con(lambda d: d["cursos"][1].update(createdAt=valor)))
    assert len(p) == 1 and "cursos[1].createdAt: " in p[0] and esperado in p[0], p


@pytest.mark.rapida
def test_se_listan_todos_los_problemas_a_la_vez(tmp_path):
    def romper(d):
        d["usuarios"][0]["rol"] = "REY"
        d["usuarios"][1]["email"] = "admin@amauta.org"  # repetido
        d["usuarios"][2]["emial"] = "x"  # error de tipeo
        d["categorias"][0]["slug"] = "Matemáticas"
        d["cursos"][2]["publicadoEn"] = "2024-03-01"  # borrador
        d["cursos"][0]["lecciones"][3]["contenido"]["preguntas"][0]["respuesta"] = 9
        d["inscripciones"][1]["progreso"] = 70
        d["progresos"][0]["leccion"] = 12
        d["asistencias"][0]["dias"][2] = "PRESENTISIMO"
        d["calificaciones"][0]["nota"] = 11
        d["comunicados"][0]["prioridad"] = "MEDIA"

    p = problemas(tmp_path, con(romper))
    esperados = [
        "usuarios[0].rol: 'REY' no es un rol válido",
        "usuarios[1].email: email 'admin@amauta.org' se repite (ya está en usuarios[0].email)",
        "usuarios[2].emial: campo desconocido 'emial' (válidos: email, nombre,",
        "categorias[0].slug: 'Matemáticas' no es un slug válido",
        "cursos[2].publicadoEn: solo los cursos PUBLICADO tienen publicadoEn (este está BORRADOR)",
        "cursos[0].lecciones[3].contenido.preguntas[0].respuesta: 9 está fuera de rango (debe ser entre 0 y 3)",
        "inscripciones[1].progreso: 70 no coincide con las lecciones completadas (2 de 3 = 66%)",
        "progresos[0].leccion: el curso 'algebra-basica' no tiene una lección de orden 12 (tiene: 1, 2, 3, 4)",
        "asistencias[0].dias[2]: 'PRESENTISIMO' no es un estado de asistencia válido (PRESENTE, AUSENTE, TARDANZA, JUSTIFICADO)",
        "calificaciones[0].nota: 11 está fuera de rango (debe ser entre 0 y 10)",
        "comunicados[0].prioridad: 'MEDIA' no es una prioridad válida (BAJA, NORMAL, ALTA, URGENTE)",
    ]
    for e in esperados:
        assert any(e in x for x in p), (e, p)
    assert all(x.startswith("línea ") for x in p)


def test_reglas_entre_secciones(tmp_path):
    def romper(d):
        d["inscripciones"][0]["estado"] = "COMPLETADO"
        d["progresos"] = [
            x for x in d["progresos"] if not (x["curso"] == "algebra-basica" and x["leccion"] == 4)
        ]
        d["asistencias"][0]["estudiante"] = "mateo.garcia@mail.com"  # no está en el grupo
        d["cursos"][0]["educador"] = "lucas.fernandez@mail.com"  # un estudiante
        d["progresos"].append(
            {"usuario": "mateo.garcia@mail.com", "curso": "geometria-plana", "leccion": 1}
        )

    p = problemas(tmp_path, con(romper))
    for e in (
        "inscripciones[0].estado: COMPLETADO exige todas las lecciones completadas (hay 3 de 4)",
        "asistencias[0].estudiante: 'mateo.garcia@mail.com' no es estudiante del grupo '4to Grado A'",
        "cursos[0].educador: 'lucas.fernandez@mail.com' es ESTUDIANTE; debe ser un educador o administrador",
        "'mateo.garcia@mail.com' no está inscripto en el curso 'geometria-plana'",
    ):
        assert any(e in x for x in p), (e, p)


@pytest.mark.parametrize(
    "texto, esperado",
    [
        ("usuarios: [\n  - email: a\n", "no es YAML válido (línea"),
        ("", "(raíz): el archivo está vacío"),
        ("- a\n- b\n", "(raíz): debe ser un mapa de campo: valor"),
        ("usuarios: 3\n", "usuarios: debe ser una lista"),
        ("tablas: []\n", "campo desconocido 'tablas'"),
        ("password: corta\nusuarios: []\n", "password: debe tener al menos 8 caracteres"),
    ],
)
def test_archivos_mal_formados(tmp_path, texto, esperado):
    with pytest.raises(DatosInvalidos) as e:
        seed.cargar(escribir(tmp_path, texto))
    assert esperado in str(e.value), str(e.value)


def test_archivo_inexistente(tmp_path):
    with pytest.raises(NoEncontrado, match="No existe el archivo de datos"):
        seed.cargar(tmp_path / "no-esta.yaml")


def test_un_archivo_minimo_con_otra_estructura_valida(tmp_path):
    d = seed.cargar(
        escribir(
            tmp_path,
            "password: 'Otra-Clave-2025'\nusuarios:\n  - {email: Ana@Mail.com, nombre: Ana, apellido: Paz}\n",
        )
    )
    assert d.usuarios[0]["email"] == "ana@mail.com" and d.usuarios[0]["rol"] == "ESTUDIANTE"
    assert "createdAt" not in d.usuarios[0]  # sin fecha: la pone la base al crear la fila
