"""La fábrica de datos de prueba: una escuela de prueba coherente, armada por escenarios.

Un solo lugar para los nombres, emails, instituciones, grupos, fechas y contraseñas de las
pruebas (antes eran cinco mini-escuelas armadas a mano cuyas constantes no coincidían:
"Fernandez" y "Fernández", tres nombres para la Escuela Nº 42, dos personas llamadas
``BRUNO``...). Cada persona existe una vez (:data:`PERSONAS`) y cada escenario elige a
quiénes usa y en qué grupos los pone:

- ``usuarios``: el personal del diseño (SUPER_ADMIN, directivo, dos educadores), tres
  estudiantes activos y uno inactivo, la Escuela Nº 42 y un colegio inactivo, "4to Grado A"
  con Lucas y Valentina. Contraseñas bcrypt reales de :data:`PASSWORD`.
- ``asistencia``: la Escuela Nº 42 con "4to Grado A" (Fernández, García, Pérez, Ruiz y Torres,
  inactivo), "5to Grado B" (Ortiz, Vega), "3ro Viejo" (inactivo, Lucas) y el Colegio San
  Martín con "Matemática I" (Zapata); un estudiante sin grupo.
- ``calificaciones``: "4to Grado A" (Lucas 8,5 y 9; Valentina 7 y 7,5 en Matemáticas),
  "3ro Grado B" (Mateo, Lengua 5), "4to Grado A 2023" (inactivo, Lucas 3) y "1er Año A" del
  colegio (Ana Pérez, Física sobre 20: 10 y 13).
- ``distrito``: dos escuelas para la seguridad por filas y la auditoría (mismo nombre de grupo
  "1ro A" en ambas), con asistencia de dos días y una nota por estudiante; Eli dejó la escuela A
  pero conserva su nota.
- ``respaldo``: las 14 tablas con datos variados (JSON anidado, listas, todos los enums, NULLs,
  emojis, fechas a medianoche) para los respaldos.

Todo se escribe con inserciones por conjuntos (un ``INSERT`` de varias filas por tabla, con
los modelos), dentro de UNA transacción. Para variar el tamaño: ``preparar(escenario,
estudiantes_extra=N)``, :func:`agregar_estudiantes` y :func:`agregar_asistencias`.

Las fixtures que las usan (``escuela``, ``escuelas``, ``bdc``, ``bd_datos``, ``bd`` con
``@pytest.mark.escenario(...)``) viven en ``conftest.py``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

# =================================================================================================
# Constantes: el único lugar de nombres, emails, fechas y contraseñas de las pruebas
# =================================================================================================
PASSWORD = "Amauta2024!"  #: la contraseña (en claro) del escenario ``usuarios``
#: Un hash con la forma de bcrypt que no corresponde a ninguna contraseña (los demás escenarios).
HASH_FALSO = "$2b$10$" + "x" * 53
PASSWORD_ROL = "Clave-de-prueba-2024"  #: la de los roles de escuela de PostgreSQL

# --- Fechas ---
LUNES = date(2024, 3, 4)  # un lunes pasado
MARTES = date(2024, 3, 5)
MIERCOLES = date(2024, 3, 6)
SABADO = date(2024, 3, 9)
DIAS = (LUNES, MARTES)  #: los días con asistencia del escenario ``distrito``

# --- Instituciones ---
ESCUELA = "Escuela Nº 42 Bernardino Rivadavia"
COLEGIO = "Colegio San Martín"
COLEGIO_CERRADO = "Colegio Cerrado"  # inactivo
INST_A = "Escuela Nº 1 Domingo F. Sarmiento"
INST_B = "Escuela Nº 2 Manuel Belgrano"
ESCUELA_RESPALDO = "Escuela N.º 1 «Juana Azurduy»"
INSTITUTO_CERRADO = "Instituto Terciario"  # inactivo

# --- Grupos ---
GRUPO = "4to Grado A"
OTRO_GRUPO = "5to Grado B"
INACTIVO = "3ro Viejo"
GRUPO_COLEGIO = "Matemática I"
TERCERO = "3ro Grado B"
INACTIVO_2023 = "4to Grado A 2023"
PRIMERO_COLEGIO = "1er Año A"
GRUPO_1A = "1ro A"  # existe en las dos escuelas del distrito
GRUPO_2A = "2do A"

# --- Personas (emails) ---
ADMIN = "admin@amauta.org"
DIRECTOR = "director@escuela.edu.ar"
MARIA = "maria.gonzalez@edu.ar"
CARLOS = "carlos.lopez@edu.ar"
LUCAS = "lucas.fernandez@mail.com"
VALENTINA = "valentina.ruiz@mail.com"
MATEO = "mateo.garcia@mail.com"
SOFIA = "sofia.perez@mail.com"
PEDRO = "pedro.torres@mail.com"  # inactivo, en 4to A
EX_ALUMNO = "ex.alumno@mail.com"  # inactivo, sin grupo
ANA = "ana.ortiz@mail.com"  # de 5to B
JUAN = "juan.vega@mail.com"  # de 5to B
BRUNO = "bruno.zapata@mail.com"  # del colegio
ANA_PEREZ = "ana.perez@mail.com"  # del colegio (calificaciones) y de la escuela A (distrito)
LIBRE = "libre@mail.com"  # estudiante sin grupo
# El distrito
ALICIA = "alicia@escuela1.edu.ar"  # educadora de la escuela A
BAUTISTA = "bautista@escuela2.edu.ar"  # educador de la escuela B
BETO, CARLA, ELI = "beto@mail.com", "carla@mail.com", "eli@mail.com"
CIRO, DORA = "ciro@mail.com", "dora@mail.com"
# Los respaldos
MARIA_JOSE = "maria.nunez@escuela.edu.ar"
DIRECCION = "direccion@escuela.edu.ar"
ROOT = "root@amauta.ar"  # SUPER_ADMIN inactivo

ACTIVOS_4A = [LUCAS, MATEO, SOFIA, VALENTINA]  #: 4to Grado A del escenario ``asistencia``

#: Lo que cada escuela del distrito debe ver, por tabla (filas).
VISIBLES_A = {
    "Institucion": 1,
    "Grupo": 2,
    "GrupoEstudiante": 3,  # Ana, Beto (1ro A), Carla (2do A)
    "Usuario": 5,  # Alicia, Ana, Beto, Carla, Eli (exalumno)
    "Perfil": 5,
    "Asistencia": 6,  # 3 estudiantes × 2 días
    "Calificacion": 4,  # Ana, Beto, Carla y la de Eli (exalumno)
    "Comunicado": 1,
}
VISIBLES_B = {
    "Institucion": 1,
    "Grupo": 1,
    "GrupoEstudiante": 2,
    "Usuario": 3,  # Bautista, Ciro, Dora
    "Perfil": 3,
    "Asistencia": 4,
    "Calificacion": 2,
    "Comunicado": 1,
}


@dataclass(frozen=True)
class Persona:
    email: str
    nombre: str
    apellido: str
    rol: str = "ESTUDIANTE"
    activo: bool = True
    matricula: str | None = None
    grado: str | None = None
    ciudad: str | None = None
    especialidad: tuple[str, ...] = ()
    experiencia: int | None = None


def _p(*a: Any, **k: Any) -> Persona:
    return Persona(*a, **k)


#: Cada persona de las pruebas, una vez. Los apellidos ejercitan el orden español (Fernández,
#: García, González, López, Martínez, Núñez, Pérez...) y los acentos.
PERSONAS: dict[str, Persona] = {
    p.email: p
    for p in [
        _p(ADMIN, "Admin", "Sistema", "SUPER_ADMIN"),
        _p(DIRECTOR, "Daniel", "Martínez", "ADMIN_ESCUELA"),
        _p(MARIA, "María", "González", "EDUCADOR", especialidad=("Álgebra", "Geometría"), experiencia=10,
           ciudad="Buenos Aires"),
        _p(CARLOS, "Carlos", "López", "EDUCADOR", ciudad="Córdoba"),
        _p(LUCAS, "Lucas", "Fernández", matricula="2024-001", grado="4to", ciudad="Mendoza"),
        _p(VALENTINA, "Valentina", "Ruiz", matricula="2024-002", grado="4to"),
        _p(MATEO, "Mateo", "García", matricula="2024-003", grado="3ro", ciudad="Rosario"),
        _p(SOFIA, "Sofía", "Pérez", matricula="2024-004", grado="4to"),
        _p(PEDRO, "Pedro", "Torres", activo=False, matricula="2024-005", grado="4to"),
        _p(EX_ALUMNO, "Ex", "Alumno", activo=False),
        _p(ANA, "Ana", "Ortiz", matricula="2024-101", grado="5to"),
        _p(JUAN, "Juan", "Vega"),
        _p(BRUNO, "Bruno", "Zapata"),
        _p(ANA_PEREZ, "Ana", "Pérez"),
        _p(LIBRE, "Libre", "Sin Grupo"),
        _p(ALICIA, "Alicia", "Moreau", "EDUCADOR"),
        _p(BAUTISTA, "Bautista", "Quiroga", "EDUCADOR"),
        _p(BETO, "Beto", "Pérez"),
        _p(CARLA, "Carla", "Pérez"),
        _p(ELI, "Eli", "Pérez"),
        _p(CIRO, "Ciro", "Pérez"),
        _p(DORA, "Dora", "Pérez"),
    ]
}

INSTITUCIONES: dict[str, dict[str, Any]] = {
    ESCUELA: {"tipo": "ESCUELA", "direccion": "Av. San Martín 1234, CABA", "email": "contacto@escuela42.edu.ar"},
    COLEGIO: {"tipo": "COLEGIO"},
    COLEGIO_CERRADO: {"tipo": "COLEGIO", "activa": False},
    INST_A: {"tipo": "ESCUELA"},
    INST_B: {"tipo": "ESCUELA"},
    ESCUELA_RESPALDO: {"tipo": "ESCUELA", "direccion": "Av. Sarmiento 1234", "email": None},
    INSTITUTO_CERRADO: {"tipo": "CENTRO_FORMACION", "activa": False},
}


@lru_cache(maxsize=1)
def hash_de_prueba() -> str:
    """El hash bcrypt (real, costo del paquete) de :data:`PASSWORD`; se calcula una vez."""
    from amauta_cli.seguridad import hashear

    return hashear(PASSWORD)


# =================================================================================================
# El constructor: junta las filas y las escribe por conjuntos
# =================================================================================================
_ORDEN = [
    "Usuario", "Perfil", "Categoria", "Curso", "Leccion", "Recurso", "Inscripcion", "Progreso",
    "Institucion", "Grupo", "GrupoEstudiante", "Calificacion", "Asistencia", "Comunicado",
]


@dataclass
class Escuela:
    """Las filas de una escuela de prueba, por tabla; :meth:`escribir` las inserta en bloque."""

    password: str = HASH_FALSO
    filas: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in _ORDEN})
    ids: dict[tuple[str, str], str] = field(default_factory=dict)
    bajas: list[tuple[str, str]] = field(default_factory=list)  #: (grupoId, estudianteId) que dejaron el grupo

    def _fila(self, tabla: str, clave: str | None = None, **valores: Any) -> str:
        from amauta_cli.ids import cuid

        if tabla != "GrupoEstudiante":
            valores.setdefault("id", cuid())
        self.filas[tabla].append(valores)
        if clave is not None:
            self.ids[(tabla, clave)] = valores["id"]
        return valores.get("id", "")

    def id(self, tabla: str, clave: str) -> str:
        return self.ids[(tabla, clave)]

    # --- personas, instituciones, grupos ---
    def persona(self, email: str, perfil: bool | dict[str, Any] = True, **usuario: Any) -> str:
        """El usuario de :data:`PERSONAS` (y su perfil, salvo ``perfil=False``)."""
        p = PERSONAS[email]
        datos = dict(email=p.email, nombre=p.nombre, apellido=p.apellido, rol=p.rol, password=self.password,
                     activo=p.activo)
        datos.update(usuario)
        uid = self._fila("Usuario", email, **datos)
        if perfil is not False:
            extra = perfil if isinstance(perfil, dict) else {}
            self._fila("Perfil", usuarioId=uid, especialidad=list(p.especialidad), experiencia=p.experiencia,
                       ciudad=p.ciudad, matricula=p.matricula, grado=p.grado, **extra)
        return uid

    def personas(self, *emails: str, perfil: bool = True) -> None:
        for e in emails:
            self.persona(e, perfil=perfil)

    def institucion(self, nombre: str) -> str:
        return self._fila("Institucion", nombre, nombre=nombre, **INSTITUCIONES[nombre])

    def grupo(self, nombre: str, institucion: str, educador: str, estudiantes: list[str] = (), clave: str | None = None,
              **extra: Any) -> str:
        gid = self._fila("Grupo", clave or nombre, nombre=nombre, institucionId=self.id("Institucion", institucion),
                         educadorId=self.id("Usuario", educador), **extra)
        self.inscribir(gid, estudiantes)
        return gid

    def inscribir(self, gid: str, estudiantes: list[str]) -> None:
        for e in estudiantes:
            self._fila("GrupoEstudiante", grupoId=gid, estudianteId=self.id("Usuario", e))

    def baja(self, grupo: str, email: str) -> None:
        """``email`` estuvo en ``grupo`` y lo dejó: la inscripción se escribe y después se borra
        (como en la vida real; en PostgreSQL queda el vínculo de exalumno con la institución)."""
        gid, uid = self.id("Grupo", grupo), self.id("Usuario", email)
        self._fila("GrupoEstudiante", grupoId=gid, estudianteId=uid)
        self.bajas.append((gid, uid))

    def nota(self, grupo: str, email: str, materia: str, periodo: str, nota: float, maxima: float = 10.0,
             **extra: Any) -> None:
        self._fila("Calificacion", grupoId=self.id("Grupo", grupo), estudianteId=self.id("Usuario", email),
                   materia=materia, periodo=periodo, nota=nota, notaMaxima=maxima, **extra)

    def asistencia(self, grupo: str, email: str, dia: date, estado: str, observaciones: str | None = None) -> None:
        from amauta_cli.ids import medianoche

        self._fila("Asistencia", grupoId=self.id("Grupo", grupo), estudianteId=self.id("Usuario", email),
                   fecha=medianoche(dia), estado=estado, observaciones=observaciones)

    def extras(self, grupo: str, n: int) -> list[str]:
        """``n`` estudiantes más en ``grupo`` (Zeta0000, Zeta0001...); devuelve sus emails."""
        emails = []
        for i in range(n):
            email = f"alumno{i:04d}@mail.com"
            uid = self._fila("Usuario", email, email=email, nombre=f"Alumno{i}", apellido=f"Zeta{i:04d}",
                             password=self.password)
            self._fila("GrupoEstudiante", grupoId=self.id("Grupo", grupo), estudianteId=uid)
            emails.append(email)
        return emails

    # --- escritura ---
    def escribir(self, url: str) -> None:
        """Cada tabla en un ``INSERT`` de varias filas, todas en UNA transacción."""
        from sqlalchemy import and_, delete, insert, or_

        from amauta_cli import models
        from amauta_cli.db import transaccion

        with transaccion(url) as s:
            for tabla in _ORDEN:
                if self.filas[tabla]:
                    s.execute(insert(getattr(models, tabla)), self.filas[tabla])
            if self.bajas:
                ge = models.GrupoEstudiante
                s.execute(delete(ge).where(or_(*(and_(ge.grupoId == g, ge.estudianteId == u) for g, u in self.bajas))))


# =================================================================================================
# Escenarios
# =================================================================================================
def _usuarios(e: Escuela) -> None:
    e.password = hash_de_prueba()
    e.personas(ADMIN, DIRECTOR, MARIA, CARLOS, LUCAS, VALENTINA, MATEO, EX_ALUMNO)
    e.institucion(ESCUELA)
    e.institucion(COLEGIO_CERRADO)
    e.grupo(GRUPO, ESCUELA, MARIA, [LUCAS, VALENTINA], grado="4to", seccion="A")


def _asistencia(e: Escuela) -> None:
    e.persona(MARIA)
    e.personas(LUCAS, VALENTINA, MATEO, SOFIA, PEDRO, ANA, JUAN, BRUNO, LIBRE)
    e.institucion(ESCUELA)
    e.institucion(COLEGIO)
    e.grupo(GRUPO, ESCUELA, MARIA, [LUCAS, VALENTINA, MATEO, SOFIA, PEDRO], grado="4to", seccion="A")
    e.grupo(OTRO_GRUPO, ESCUELA, MARIA, [ANA, JUAN], grado="5to", seccion="B")
    e.grupo(INACTIVO, ESCUELA, MARIA, [LUCAS], activo=False)
    e.grupo(GRUPO_COLEGIO, COLEGIO, MARIA, [BRUNO])


def _calificaciones(e: Escuela) -> None:
    e.persona(MARIA)
    e.personas(LUCAS, VALENTINA, MATEO, ANA_PEREZ, LIBRE)
    e.institucion(ESCUELA)
    e.institucion(COLEGIO)
    e.grupo(GRUPO, ESCUELA, MARIA, [LUCAS, VALENTINA], grado="4to", seccion="A")
    e.grupo(TERCERO, ESCUELA, MARIA, [MATEO], grado="3ro", seccion="B")
    e.grupo(INACTIVO_2023, ESCUELA, MARIA, [LUCAS], activo=False)
    e.grupo(PRIMERO_COLEGIO, COLEGIO, MARIA, [ANA_PEREZ])
    for grupo, email, materia, periodo, nota, maxima in [
        (GRUPO, LUCAS, "Matemáticas", "1er Trimestre", 8.5, 10.0),
        (GRUPO, LUCAS, "Matemáticas", "2do Trimestre", 9.0, 10.0),
        (GRUPO, VALENTINA, "Matemáticas", "1er Trimestre", 7.0, 10.0),
        (GRUPO, VALENTINA, "Matemáticas", "2do Trimestre", 7.5, 10.0),
        (TERCERO, MATEO, "Lengua", "1er Trimestre", 5.0, 10.0),
        (INACTIVO_2023, LUCAS, "Matemáticas", "1er Trimestre", 3.0, 10.0),
        (PRIMERO_COLEGIO, ANA_PEREZ, "Física", "1er Trimestre", 10.0, 20.0),
        (PRIMERO_COLEGIO, ANA_PEREZ, "Física", "2do Trimestre", 13.0, 20.0),
    ]:
        e.nota(grupo, email, materia, periodo, nota, maxima)


def _distrito(e: Escuela) -> None:
    from amauta_cli.ids import ahora

    e.personas(ADMIN, ALICIA, BAUTISTA, ANA_PEREZ, BETO, CARLA, ELI, CIRO, DORA, LIBRE)
    e.institucion(INST_A)
    e.institucion(INST_B)
    # Eli dejó "1ro A" de la escuela A: sigue siendo exalumno de la escuela (tiene una nota ahí).
    miembros = {"a1": [ANA_PEREZ, BETO], "a2": [CARLA], "b1": [CIRO, DORA]}
    e.grupo(GRUPO_1A, INST_A, ALICIA, miembros["a1"], clave="a1", grado="1ro", seccion="A")
    e.grupo(GRUPO_2A, INST_A, ALICIA, miembros["a2"], clave="a2", grado="2do", seccion="A")
    e.grupo(GRUPO_1A, INST_B, BAUTISTA, miembros["b1"], clave="b1", grado="1ro", seccion="A")
    for g, emails in {"a1": [ANA_PEREZ, BETO, ELI], "a2": [CARLA], "b1": [CIRO, DORA]}.items():
        for email in emails:
            e.nota(g, email, "Matemática", "1er Trimestre", 7.0)
            if email != ELI:
                for d in DIAS:
                    e.asistencia(g, email, d, "PRESENTE")
    e.baja("a1", ELI)
    t = ahora()
    e._fila("Comunicado", institucionId=e.id("Institucion", INST_A), autorId=e.id("Usuario", ALICIA),
            titulo="Acto", contenido="Acto del 25", tipo="EVENTO", publicadoEn=t)
    e._fila("Comunicado", institucionId=e.id("Institucion", INST_B), autorId=e.id("Usuario", BAUTISTA),
            titulo="Feria", contenido="Feria de ciencias", tipo="ACADEMICO", publicadoEn=t)


#: Los estudiantes del escenario ``respaldo`` (nombres con ñ, apóstrofo, diéresis y emoji).
ALUMNOS_RESPALDO = [("Joaquín", "Pérez"), ("Sofía", "Ñandú"), ("Lautaro", "O'Higgins"), ("Zoë", "Müller 🎒")]


def _respaldo(e: Escuela) -> None:
    u = lambda email, **k: e._fila("Usuario", email, email=email, password=e.password, **k)  # noqa: E731
    docente = u(MARIA_JOSE, nombre="María José", apellido="Núñez", rol="EDUCADOR",
                emailVerificado=datetime(2024, 2, 1, 12, 30, 15, 123000))
    admin = u(DIRECCION, nombre="Dirección", apellido="Güemes", rol="ADMIN_ESCUELA",
              avatar="https://cdn.ejemplo.ar/á.png")
    raiz = u(ROOT, nombre="Super", apellido="Admin", rol="SUPER_ADMIN", activo=False)
    alumnos = [u(f"alumno{i}@escuela.edu.ar", nombre=n, apellido=a) for i, (n, a) in enumerate(ALUMNOS_RESPALDO)]
    e._fila("Perfil", usuarioId=docente, bio="Profe de «Matemática»\nLínea 2", pais="Argentina",
            ciudad="San Miguel de Tucumán", especialidad=["álgebra", "geometría", ""], experiencia=12)
    e._fila("Perfil", usuarioId=alumnos[0], matricula="M-0001", grado="4º", especialidad=None)
    e._fila("Perfil", usuarioId=alumnos[1], matricula="M-0002", grado="4º", especialidad=[])
    cat = e._fila("Categoria", nombre="Ciencias Exactas", slug="ciencias-exactas", descripcion=None, icono="🔢")
    curso = e._fila("Curso", titulo="Fracciones para 4º", descripcion="Números racionales, paso a paso",
                    slug="fracciones-4", educadorId=docente, categoriaId=cat, nivel="PRINCIPIANTE",
                    estado="PUBLICADO", duracion=90, publicadoEn=datetime(2024, 3, 1, 9, 0))
    e._fila("Curso", titulo="Álgebra", descripcion="Próximamente", slug="algebra", educadorId=docente,
            categoriaId=cat, nivel="AVANZADO")
    l1 = e._fila("Leccion", titulo="¿Qué es una fracción?", orden=1, cursoId=curso, tipo="VIDEO",
                 contenido={"url": "https://video.ar/1", "subtítulos": ["es", "qu"], "duración": 7.5,
                            "meta": {"nulo": None, "ok": True}}, publicada=True)
    l2 = e._fila("Leccion", titulo="Quiz", orden=2, cursoId=curso, tipo="QUIZ",
                 contenido=[{"pregunta": "½ + ¼", "opciones": ["¾", "⅔"], "correcta": 0}])
    e._fila("Recurso", nombre="Guía.pdf", tipo="pdf", url="https://cdn.ar/guía.pdf", tamano=None, leccionId=l1,
            disponibleOffline=True)
    e._fila("Inscripcion", usuarioId=alumnos[0], cursoId=curso, estado="COMPLETADO", progreso=100,
            completadoEn=datetime(2024, 4, 2, 18, 0, 0, 999000))
    e._fila("Inscripcion", usuarioId=alumnos[1], cursoId=curso, estado="ABANDONADO")
    e._fila("Inscripcion", usuarioId=alumnos[2], cursoId=curso)
    e._fila("Progreso", usuarioId=alumnos[0], leccionId=l1, completado=True, porcentaje=100, intentos=2,
            mejorPuntaje=9.75)
    e._fila("Progreso", usuarioId=alumnos[0], leccionId=l2, mejorPuntaje=None)
    inst = e.institucion(ESCUELA_RESPALDO)
    otra = e.institucion(INSTITUTO_CERRADO)
    grupo = e._fila("Grupo", GRUPO, nombre=GRUPO, grado="4º", seccion="A", institucionId=inst, educadorId=docente)
    e._fila("Grupo", nombre="3ro B (2023)", institucionId=inst, educadorId=docente, activo=False)
    for a in alumnos:
        e._fila("GrupoEstudiante", grupoId=grupo, estudianteId=a)
    estados = ["PRESENTE", "AUSENTE", "TARDANZA", "JUSTIFICADO"]
    for d, dia in enumerate([LUNES, MARTES, MIERCOLES]):
        for k in range(len(alumnos)):
            email = f"alumno{k}@escuela.edu.ar"
            estado = estados[(d + k) % len(estados)]
            e.asistencia(GRUPO, email, dia, estado, "Llegó 10' tarde" if estado == "TARDANZA" else None)
    for k, a in enumerate(alumnos):
        e._fila("Calificacion", grupoId=grupo, estudianteId=a, materia="Matemática", periodo="1er Trimestre",
                nota=[7.5, 10.0, 4.25, 6.0][k], observaciones=None if k else "Excelente 👏")
    e._fila("Comunicado", institucionId=inst, autorId=admin, titulo="Acto del 25 de Mayo",
            contenido="Traer escarapela 🇦🇷", tipo="EVENTO", prioridad="ALTA")
    e._fila("Comunicado", institucionId=inst, autorId=admin, titulo="Suspensión de clases", contenido="Por tormenta",
            tipo="URGENTE", prioridad="URGENTE")
    e._fila("Comunicado", institucionId=otra, autorId=raiz, titulo="Bienvenida", contenido="—", tipo="GENERAL")


ESCENARIOS: dict[str, Callable[[Escuela], None]] = {
    "usuarios": _usuarios,
    "asistencia": _asistencia,
    "calificaciones": _calificaciones,
    "distrito": _distrito,
    "respaldo": _respaldo,
}


def construir(escenario: str, estudiantes_extra: int = 0, grupo_extra: str = GRUPO) -> Escuela:
    """Las filas del escenario (sin escribir), con ``estudiantes_extra`` más en ``grupo_extra``."""
    e = Escuela()
    ESCENARIOS[escenario](e)
    if estudiantes_extra:
        e.extras(grupo_extra, estudiantes_extra)
    return e


def preparar(escenario: str, **opciones: Any) -> Callable[[str], None]:
    """``preparar("asistencia")(url)`` llena una base migrada; sirve como ``preparar`` de
    ``crear_plantilla``."""

    def llenar(url: str) -> None:
        construir(escenario, **opciones).escribir(url)

    llenar.__name__ = f"preparar_{escenario}"
    return llenar


# =================================================================================================
# Tamaño: agrandar una base ya hecha
# =================================================================================================
def agregar_estudiantes(url: str, grupo: str, n: int) -> list[str]:
    """Suma ``n`` estudiantes al grupo en dos INSERT de varias filas; devuelve sus emails."""
    from sqlalchemy import select

    from amauta_cli.db import transaccion
    from amauta_cli.models import Grupo

    with transaccion(url, solo_lectura=True) as s:
        gid = s.scalar(select(Grupo.id).where(Grupo.nombre == grupo))
    e = Escuela()
    e.ids[("Grupo", grupo)] = gid
    emails = e.extras(grupo, n)
    e.escribir(url)
    return emails


def agregar_grupo(url: str, nombre: str, estudiantes: int, como: str = GRUPO) -> list[str]:
    """Un grupo nuevo ``nombre`` (misma institución y educador que ``como``) con ``estudiantes``
    estudiantes nuevos, todo en bloque; devuelve sus emails."""
    from sqlalchemy import select

    from amauta_cli.db import transaccion
    from amauta_cli.models import Grupo

    with transaccion(url, solo_lectura=True) as s:
        inst, educador = s.execute(select(Grupo.institucionId, Grupo.educadorId).where(Grupo.nombre == como)).one()
    e = Escuela()
    e._fila("Grupo", nombre, nombre=nombre, institucionId=inst, educadorId=educador)
    emails = e.extras(nombre, estudiantes)
    e.escribir(url)
    return emails


def agregar_asistencias(bd, n: int, grupo: str = GRUPO, email: str = "alumno0@escuela.edu.ar") -> None:
    """``n`` filas más de asistencia, generadas en el servidor (para pruebas que necesitan volumen)."""
    gid = bd.valor('SELECT id FROM "Grupo" WHERE nombre = :g', g=grupo)
    alumno = bd.valor('SELECT id FROM "Usuario" WHERE email = :e', e=email)
    if bd.motor == "postgresql":
        bd.ejecutar(
            'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
            '"createdAt", "updatedAt") '
            "SELECT 'x' || g, :grupo, :alumno, TIMESTAMP '1000-01-01' + g * INTERVAL '1 day', "
            "'PRESENTE', repeat('observación ', 5), now(), now() FROM generate_series(1, :n) g",
            grupo=gid, alumno=alumno, n=n,
        )
    else:
        bd.ejecutar(
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :n) "
            'INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
            '"createdAt", "updatedAt") '
            "SELECT 'x' || i, :grupo, :alumno, datetime('1000-01-01', '+' || i || ' days'), "
            "'PRESENTE', 'observación observación observación', datetime('now'), datetime('now') FROM g",
            grupo=gid, alumno=alumno, n=n,
        )


# =================================================================================================
# Ayudas de las pruebas sobre estos datos
# =================================================================================================
def escribir_csv(ruta, texto: str, codificacion: str = "utf-8") -> str:
    """Escribe el CSV byte a byte en la codificación pedida y devuelve la ruta como texto."""
    from pathlib import Path

    Path(ruta).write_bytes(texto.encode(codificacion))
    return str(ruta)


HASH_BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")


def sin_secretos(texto: str, *passwords: str) -> None:
    """Ningún hash bcrypt, marca de contraseña inutilizable ni contraseña en claro en ``texto``."""
    assert not HASH_BCRYPT.search(texto), "apareció un hash bcrypt en la salida"
    for pw in passwords:
        assert pw not in texto, "apareció una contraseña en la salida"


def hash_de(bd, email: str) -> str:
    return bd.valor('SELECT password FROM "Usuario" WHERE lower(email) = :e', e=email.lower())


def verifica_bcrypt(hash_guardado: str, password: str) -> bool:
    """El hash es bcrypt de costo >= 10 y corresponde a la contraseña."""
    import bcrypt

    m = HASH_BCRYPT.fullmatch(hash_guardado)
    assert m, f"no es un hash bcrypt: {hash_guardado[:7]}..."
    assert int(m.group(1)) >= 10, "costo bcrypt menor que 10"
    return bcrypt.checkpw(password.encode(), hash_guardado.encode())


class Contador:
    """Cuenta las sentencias SQL que se ejecutan dentro del ``with`` (sin BEGIN/COMMIT)."""

    def __init__(self, url: str, cruda: bool = False):
        from amauta_cli.db import crear_motor

        self.motor = crear_motor(url)
        self.sentencias: list[str] = []
        #: Contar también las sentencias por el driver a secas (db.Cruda), que no pasan por los
        #: eventos de SQLAlchemy (servicios que ya no usan el ORM).
        self.cruda = cruda

    def __enter__(self):
        from sqlalchemy import event

        from amauta_cli.db import Cruda

        event.listen(self.motor, "before_cursor_execute", self._contar)
        self._cursor_original = original = Cruda._cursor
        if not self.cruda:
            return self

        def contar_cruda(cruda, sql, params):
            self._contar(None, None, sql)
            return original(cruda, sql, params)

        self._flujo_original = flujo = Cruda.flujo

        def contar_flujo(cruda, sql, *a, **k):  # las consultas que se leen por tramos
            self._contar(None, None, sql)
            return flujo(cruda, sql, *a, **k)

        Cruda._cursor = contar_cruda
        Cruda.flujo = contar_flujo
        return self

    def _contar(self, _con, _cur, sentencia, *_a):
        if not sentencia.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.sentencias.append(sentencia)

    def __exit__(self, *_):
        from sqlalchemy import event

        from amauta_cli.db import Cruda

        Cruda._cursor = self._cursor_original
        if self.cruda:
            Cruda.flujo = self._flujo_original
        event.remove(self.motor, "before_cursor_execute", self._contar)


# --- Roles de escuela (PostgreSQL, escenario ``distrito``) ---
@dataclass
class RolEscuela:
    rol: str
    url: str
    institucion: str


#: Roles creados en esta sesión de pytest (conftest borra al final los que hayan quedado).
roles_creados: list[str] = []


def url_como(url: str, rol: str, password: str = PASSWORD_ROL) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=rol, password=password).render_as_string(hide_password=False)


def crear_rol(url_admin: str, institucion: str, sufijo: str) -> RolEscuela:
    """Un rol LOGIN de nombre único para ``institucion`` (con el servicio de ``accesos crear``)."""
    from amauta_cli.db import transaccion
    from amauta_cli.services import accesos

    nombre = f"amauta_t_{uuid.uuid4().hex[:8]}_{sufijo}"
    roles_creados.append(nombre)
    with transaccion(url_admin) as s:
        accesos.crear(s, institucion, nombre, PASSWORD_ROL)
    return RolEscuela(nombre, url_como(url_admin, nombre), institucion)


def borrar_roles(nombres: list[str]) -> None:
    from conftest import _pg_admin

    from amauta_cli.db import cerrar_motores

    cerrar_motores()
    with _pg_admin() as c:
        for n in nombres:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (n,))
            c.execute(f'DROP ROLE IF EXISTS "{n}"')


def filas_como(url: str, sql: str, **params: Any) -> list[tuple]:
    """Una consulta con una conexión nueva (psycopg a secas) como el usuario de ``url``."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as c:
        return [tuple(f) for f in c.execute(sql, params or None).fetchall()]


def ejecutar_como(url: str, *sentencias: str) -> None:
    """Sentencias en UNA transacción como el usuario de ``url`` (psycopg a secas)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c:
        for s in sentencias:
            c.execute(s)
