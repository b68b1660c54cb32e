package uk.ac.manchester.tornado.api.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Target;

/** Marks a loop variable whose iterations TornadoVM maps to device threads (class-file retention, as in TornadoVM). */
@Target({ ElementType.LOCAL_VARIABLE, ElementType.TYPE, ElementType.TYPE_USE, ElementType.TYPE_PARAMETER })
public @interface Parallel {
}
