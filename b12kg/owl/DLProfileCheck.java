// Reports OWL 2 DL profile violations of an ontology file, using the OWL API that ships
// inside owlready2's HermiT.jar. Run in Java's source-file mode (no build step):
//   java -cp HermiT.jar DLProfileCheck.java ontology/b12kg.owl
// Output: one "VIOLATION<TAB>text" line per violation, then "AXIOMS<TAB>n". Exit 0 either way;
// a file the OWL API cannot parse exits 2 with the parser's message on stderr.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DLProfileCheck {
    public static void main(String[] args) {
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("VIOLATION\t" + violation.toString().replace('\n', ' '));
            }
            System.out.println("AXIOMS\t" + ontology.getAxiomCount());
        } catch (Exception error) {
            System.err.println(error.toString());
            System.exit(2);
        }
    }
}
