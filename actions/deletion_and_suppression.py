"""Deletion and suppression: regulations that delete or block data about end users."""

from actions.ids import SOURCE_ID
from connector.spec import Input, Overlays

api = Overlays(__file__)

REGULATION_TYPE = Input("regulationType",
                        comments="Action to take, e.g. `SUPPRESS_WITH_DELETE` or `DELETE_ONLY`.",
                        example="SUPPRESS_WITH_DELETE")
SUBJECT_TYPE = Input("subjectType",
                     comments="Kind of id in `subjectIds`, e.g. `USER_ID` or `OBJECT_ID`.",
                     example="USER_ID")
SUBJECT_IDS = Input("subjectIds", comments="Ids of the end users or objects to regulate.",
                    example=["user-1234"])
STATUS = Input("status", comments="Only regulations in this state, e.g. `FINISHED`.",
               example="FINISHED")
REGULATION_TYPES = Input("regulationTypes", comments="Only regulations of these types.",
                         example=["SUPPRESS_WITH_DELETE"])

# A regulation may delete end users' data for good, so creating one is destructive.
ACTIONS = (
    api("createCloudSourceRegulation", "Create Cloud Source Regulation",
        "Delete or suppress objects of a cloud source collection.",
        SOURCE_ID, REGULATION_TYPE,
        Input("subjectType", comments="Kind of id in `subjectIds`; `OBJECT_ID` here.",
              example="OBJECT_ID"),
        Input("subjectIds", comments="Ids of the objects to regulate.",
              example=["0035e00002Dq7hLAAR"]),
        Input("collection", comments="Cloud source collection that holds the objects.",
              example="contacts"),
        safety="destructive"),
    api("createSourceRegulation", "Create Source Regulation",
        "Delete or suppress the data of end users in one source.",
        SOURCE_ID, REGULATION_TYPE, SUBJECT_TYPE, SUBJECT_IDS, safety="destructive"),
    api("createWorkspaceRegulation", "Create Workspace Regulation",
        "Delete or suppress the data of end users across the workspace.",
        REGULATION_TYPE, SUBJECT_TYPE, SUBJECT_IDS, safety="destructive"),
    api("getRegulation", "Get Regulation", "Fetch the status of one regulation.",
        Input("regulateId", comments="Id of the regulation.", required=True,
              picklist="regulations", example="2aBgrwPHLbZDAKyC3FBhGz2dEn1")),
    api("listRegulationsFromSource", "List Regulations from Source",
        "List the regulations of a source.",
        SOURCE_ID, STATUS, REGULATION_TYPES),
    api("listSuppressions", "List Suppressions", "List the suppressed users of the workspace."),
    api("listWorkspaceRegulations", "List Workspace Regulations",
        "List the regulations of the workspace.",
        STATUS, REGULATION_TYPES),
)
