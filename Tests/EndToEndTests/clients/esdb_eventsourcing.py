"""The Python `eventsourcing` library (with `eventsourcing-kurrentdb`, both pinned in .ci/run)
persisting an aggregate through `wharf serve`'s gRPC listener. One phase per run:

    python3 esdb_eventsourcing.py URI save STATE_FILE     registers a dog, adds tricks, checks a conflict
    python3 esdb_eventsourcing.py URI reload STATE_FILE   a new application reloads it (after a restart)

Each check prints "ok ..." or raises.
"""
import json
import os
import sys
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

uri, phase, state_file = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["PERSISTENCE_MODULE"] = "eventsourcing_kurrentdb"
os.environ["KURRENTDB_URI"] = uri


class Dog(Aggregate):
    INITIAL_VERSION = 0  # eventsourcing-kurrentdb's rule: the first event is revision 0

    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name
        self.tricks: list[str] = []

    @event("TrickAdded")
    def add_trick(self, trick: str) -> None:
        self.tricks.append(trick)


class DogSchool(Application):
    def register_dog(self, name: str) -> UUID:
        dog = Dog(name)
        self.save(dog)
        return dog.id

    def add_trick(self, dog_id: UUID, trick: str) -> None:
        dog = self.repository.get(dog_id)
        dog.add_trick(trick)
        self.save(dog)

    def get_dog(self, dog_id: UUID) -> dict:
        dog = self.repository.get(dog_id)
        return {"name": dog.name, "tricks": list(dog.tricks), "version": dog.version}


if phase == "save":
    school = DogSchool()
    dog_id = school.register_dog("Fido")
    school.add_trick(dog_id, "roll over")
    school.add_trick(dog_id, "fetch ball")
    assert school.get_dog(dog_id) == {"name": "Fido", "tricks": ["roll over", "fetch ball"], "version": 2}, school.get_dog(dog_id)
    print("ok an aggregate saved in three events and reloaded")
    # Two copies of one version: the second save is refused by the expected version.
    first, second = school.repository.get(dog_id), school.repository.get(dog_id)
    first.add_trick("sit")
    school.save(first)
    second.add_trick("stay")
    try:
        school.save(second)
    except IntegrityError:
        print("ok a concurrent save of a stale version raised IntegrityError")
    else:
        raise AssertionError("a stale version was saved")
    # The application's notification log reads `$all`.
    notifications = school.notification_log.select(start=1, limit=10)
    topics = [n.topic for n in notifications if str(n.originator_id) == str(dog_id)]
    assert len(topics) == 4 and topics[0].endswith("Dog.Registered"), topics
    print("ok the notification log lists the aggregate's four events")
    with open(state_file, "w") as f:
        json.dump({"dog": str(dog_id)}, f)
elif phase == "reload":
    with open(state_file) as f:
        dog_id = UUID(json.load(f)["dog"])
    school = DogSchool()
    dog = school.get_dog(dog_id)
    assert dog == {"name": "Fido", "tricks": ["roll over", "fetch ball", "sit"], "version": 3}, dog
    print("ok a new application reloads the aggregate after the broker restarted")
    school.add_trick(dog_id, "play dead")
    assert school.get_dog(dog_id)["version"] == 4
    print("ok and appends to it at the next version")
else:
    raise SystemExit(f"unknown phase {phase}")
print(f"ok {phase} done")
